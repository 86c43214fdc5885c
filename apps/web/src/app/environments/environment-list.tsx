'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { StateBadge } from '@genos/ui';
import { useTRPC } from '@/trpc/react';

export function EnvironmentList() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.environments.list.queryOptions({ includeTerminated: true }), refetchInterval: 3000 });
  if (!list.data) return <p className="muted">Loading…</p>;
  if (list.data.length === 0) return <p className="muted">Nothing yet. <Link href="/">Describe one.</Link></p>;
  return (
    <table data-testid="environment-list">
      <thead><tr><th>Name</th><th>State</th><th>Apps</th><th>Created</th><th>Host</th></tr></thead>
      <tbody>
        {list.data.map((e) => (
          <tr key={e.id}>
            <td><Link href={`/environments/${e.id}`}>{e.name}</Link></td>
            <td><StateBadge state={e.state} /></td>
            <td>{e.spec.apps.join(', ')}</td>
            <td>{e.createdAt.toLocaleString()}</td>
            <td className="muted">{e.runtimeRef ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
