'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../error-message';

/**
 * Suspend / Resume and Terminate of one environment, for the side panel.
 * The lifetime warnings stay beside the desktop (LifetimeBanner without callbacks).
 */
export function EnvironmentActions({ env, terminating, onTerminate }: { env: { id: string; state: string }; terminating: boolean; onTerminate: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // The request is queued for the host; the button waits for the state to change.
  const [pending, setPending] = useState<{ action: 'suspend' | 'resume'; from: string } | null>(null);
  const suspend = useMutation(trpc.environments.suspend.mutationOptions());
  const resume = useMutation(trpc.environments.resume.mutationOptions());

  useEffect(() => {
    if (pending && env.state !== pending.from) setPending(null);
  }, [env.state, pending]);
  // Until the live view refreshes on its own, look again while the host works.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => void queryClient.invalidateQueries({ queryKey: trpc.environments.get.queryKey({ id: env.id }) }), 1000);
    return () => clearInterval(t);
  }, [pending, queryClient, trpc, env.id]);

  const run = (action: 'suspend' | 'resume') => {
    setPending({ action, from: env.state });
    (action === 'suspend' ? suspend : resume).mutate({ id: env.id }, { onError: () => setPending(null) });
  };
  const error = suspend.error ?? resume.error;
  if (env.state === 'terminated') return null;
  return (
    <section className="env-panel-section" data-testid="environment-actions">
      <strong>Actions</strong>
      <div className="env-panel-row">
        {env.state === 'running' && (
          <button className="secondary" disabled={!!pending} onClick={() => run('suspend')} title="Keeps its programs and files, frees the host">
            {pending?.action === 'suspend' ? 'Suspending…' : 'Suspend'}
          </button>
        )}
        {env.state === 'suspended' && (
          <button disabled={!!pending} onClick={() => run('resume')}>
            {pending?.action === 'resume' ? 'Resuming…' : 'Resume'}
          </button>
        )}
        <button className="danger" disabled={terminating} onClick={onTerminate} title="Removes the desktop and its files">
          {terminating ? 'Terminating…' : 'Terminate'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      )}
    </section>
  );
}
