'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { LifetimeBanner, type LifetimeBannerEnvironment } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../error-message';

/** Suspend / Resume and the lifetime warnings of one environment. */
export function EnvironmentActions({ env }: { env: LifetimeBannerEnvironment & { id: string } }) {
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
  return (
    <LifetimeBanner
      env={env}
      pending={pending?.action ?? null}
      error={error ? errorMessage(error) : null}
      onSuspend={() => run('suspend')}
      onResume={() => run('resume')}
    />
  );
}
