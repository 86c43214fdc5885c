'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { ComposeResult } from '@genos/core';
import { SpecCard } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { EnvironmentView } from './environments/environment-view';
import { errorMessage } from './error-message';

interface Turn {
  request: string;
  result: ComposeResult | null;
  error: string | null;
}

/** The chat: a sentence in, a spec card out, Launch, and the live desktop below. */
export function ChatComposer() {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [launchedId, setLaunchedId] = useState<string | null>(null);
  const compose = useMutation(trpc.environments.compose.mutationOptions());
  const create = useMutation(trpc.environments.create.mutationOptions());

  const submit = async () => {
    const request = text.trim();
    if (!request) return;
    setText('');
    try {
      const result = await compose.mutateAsync({ request });
      setTurns((t) => [...t, { request, result, error: null }]);
    } catch (e) {
      setTurns((t) => [...t, { request, result: null, error: errorMessage(e) }]);
    }
  };

  const launch = async (turn: Turn) => {
    if (!turn.result?.spec) return;
    try {
      const env = await create.mutateAsync({ spec: turn.result.spec, request: turn.request });
      setLaunchedId(env.id);
    } catch (e) {
      setTurns((t) => [...t, { request: 'Launch', result: null, error: errorMessage(e) }]);
    }
  };

  return (
    <div>
      <h1>What do you need?</h1>
      <div data-testid="chat-thread">
        {turns.map((turn, i) => (
          <div key={i}>
            <div className="card" style={{ background: '#1c2230' }}><strong>You:</strong> {turn.request}</div>
            {turn.error && <div className="card error" role="alert" data-testid="chat-error">{turn.error}</div>}
            {turn.result && (
              <SpecCard result={turn.result} launching={create.isPending} onLaunch={i === turns.length - 1 && !launchedId ? () => void launch(turn) : undefined} />
            )}
          </div>
        ))}
      </div>
      {launchedId && <EnvironmentView id={launchedId} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        style={{ display: 'flex', gap: '0.5rem', marginTop: '1rem' }}
      >
        <textarea
          aria-label="Describe the environment you need"
          placeholder="A Linux desktop with Firefox and 4 GB of memory…"
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button type="submit" disabled={compose.isPending}>Send</button>
      </form>
    </div>
  );
}
