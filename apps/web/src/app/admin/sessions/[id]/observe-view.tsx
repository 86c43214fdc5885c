'use client';
import { useMutation } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { RemoteDisplay } from '@genos/ui';
import { useTRPC } from '@/trpc/react';

/** The desktop through a view-only tunnel token (guacd read-only). */
export function ObserveView({ id }: { id: string }) {
  const trpc = useTRPC();
  const observe = useMutation(trpc.admin.environments.observe.mutationOptions());
  const [tunnelUrl, setTunnelUrl] = useState<string | null>(null);
  useEffect(() => setTunnelUrl(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/tunnel`), []);
  const getToken = useCallback(async () => (await observe.mutateAsync({ id })).token, [observe, id]);
  if (!tunnelUrl) return null;
  return (
    <div data-testid="observe-view" data-env-id={id}>
      <RemoteDisplay tunnelUrl={tunnelUrl} getToken={getToken} />
    </div>
  );
}
