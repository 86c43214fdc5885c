'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { ComposeResult, EnvironmentSpec } from '@genos/core';
import { SpecCard } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { EnvironmentView } from './environments/environment-view';
import { errorMessage } from './error-message';

interface Turn {
  request: string;
  result: ComposeResult | null;
  error: string | null;
}

/**
 * The chat: a sentence in, a spec card out. While a spec is on the table,
 * the next message edits it ("add vlc", "make it 8 GB"); answers to the
 * composer's questions are read together with the question's request.
 */
export function ChatComposer() {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [current, setCurrent] = useState<{ spec: EnvironmentSpec; request: string } | null>(null);
  const [launchedId, setLaunchedId] = useState<string | null>(null);
  const compose = useMutation(trpc.composer.compose.mutationOptions());
  const refine = useMutation(trpc.composer.refine.mutationOptions());
  const create = useMutation(trpc.environments.create.mutationOptions());
  const busy = compose.isPending || refine.isPending;

  const submit = async () => {
    const message = text.trim();
    if (!message || busy) return;
    setText('');
    const last = turns.at(-1);
    try {
      let result: ComposeResult;
      let request = message;
      if (current && !launchedId) {
        result = await refine.mutateAsync({ spec: current.spec, instruction: message });
        request = `${current.request}; ${message}`;
      } else {
        // An answer to the composer's questions completes the request that raised them.
        if (last?.result?.status === 'needs_clarification') request = `${last.request}. ${message}`;
        result = await compose.mutateAsync({ request });
      }
      setTurns((t) => [...t, { request: message, result, error: null }]);
      if (result.spec) setCurrent({ spec: result.spec, request: request.slice(0, 2000) });
    } catch (e) {
      setTurns((t) => [...t, { request: message, result: null, error: errorMessage(e) }]);
    }
  };

  const launch = async () => {
    if (!current) return;
    try {
      const env = await create.mutateAsync({ spec: current.spec, request: current.request });
      setLaunchedId(env.id);
    } catch (e) {
      setTurns((t) => [...t, { request: 'Launch', result: null, error: errorMessage(e) }]);
    }
  };

  const startOver = () => {
    setTurns([]);
    setCurrent(null);
    setLaunchedId(null);
  };

  const lastIndex = turns.length - 1;
  return (
    <div>
      <h1>What do you need?</h1>
      <div data-testid="chat-thread">
        {turns.map((turn, i) => (
          <div key={i}>
            <div className="card" style={{ background: '#1c2230' }}><strong>You:</strong> {turn.request}</div>
            {turn.error && <div className="card error" role="alert" data-testid="chat-error">{turn.error}</div>}
            {turn.result && (
              <SpecCard
                result={turn.result}
                launching={create.isPending}
                onLaunch={i === lastIndex && !launchedId && turn.result.status === 'ok' ? () => void launch() : undefined}
              />
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
          placeholder={current && !launchedId ? 'Change it: "add vlc", "make it 8 GB", "no internet"…' : 'A Linux desktop with Firefox and 4 GB of memory…'}
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
        <button type="submit" disabled={busy}>Send</button>
        {turns.length > 0 && <button type="button" className="secondary" onClick={startOver}>New request</button>}
      </form>
      {current && !launchedId && <p className="muted chat-hint">Messages now edit the spec above. “New request” starts again.</p>}
    </div>
  );
}
