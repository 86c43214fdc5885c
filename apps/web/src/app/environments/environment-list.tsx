'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import { StateBadge } from '@genos/ui';
import { useTRPC } from '@/trpc/react';

export function EnvironmentList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.environments.list.queryKey({ includeTerminated: true });
  // One read to start; then each change arrives over server-sent events and is merged in place.
  const list = useQuery({ ...trpc.environments.list.queryOptions({ includeTerminated: true }), staleTime: Infinity, refetchOnWindowFocus: false });
  useSubscription(
    trpc.environments.onChange.subscriptionOptions(
      {},
      {
        onData: (next) =>
          queryClient.setQueryData(listKey, (old) => {
            if (!old) return old;
            const at = old.findIndex((e) => e.id === next.id);
            if (at === -1) return [next, ...old].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
            if (old[at]!.updatedAt > next.updatedAt) return old;
            return old.map((e, i) => (i === at ? next : e));
          }),
      },
    ),
  );
  if (!list.data) return <p className="muted">Loading…</p>;
  if (list.data.length === 0) return <p className="muted">Nothing yet. <Link href="/">Describe one.</Link></p>;
  return (
    <table data-testid="environment-list">
      <thead><tr><th>Name</th><th>State</th><th>Apps</th><th>Created</th><th>Host</th></tr></thead>
      <tbody>
        {list.data.map((e) => (
          <tr key={e.id}>
            <td><Link href={`/environments/${e.id}`}>{e.name}</Link></td>
            <td>
              <StateBadge state={e.state} />
              {e.state === 'requested' && e.queuePosition !== null && (
                <span className="muted" data-testid="queue-position" data-position={e.queuePosition}> {e.queuePosition} ahead</span>
              )}
              {e.hostLost && e.state !== 'terminated' && <span className="error" data-testid="host-lost"> host lost</span>}
            </td>
            <td>{e.spec.apps.join(', ')}</td>
            <td>{e.createdAt.toLocaleString()}</td>
            <td className="muted">{e.runtimeRef ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
