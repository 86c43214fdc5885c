'use client';
import { useQuery } from '@tanstack/react-query';
import { HostUsageChart } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

const pct = (used: number, cap: number) => (cap > 0 ? `${Math.round((100 * used) / cap)}%` : '—');

/** A host's health: whether it heartbeats, then what its worker's last readiness check said (the failing parts named). */
function health(h: { schedulable: boolean; state: string; readiness: { ready: boolean; failing: string[]; checks: Record<string, { latencyMs: number; error?: string }> } | null }) {
  if (!h.schedulable) return { ok: false, text: h.state === 'up' ? 'stale heartbeat' : 'down', title: '' };
  if (!h.readiness) return { ok: true, text: 'healthy', title: 'no readiness check yet' };
  const title = Object.entries(h.readiness.checks).map(([name, c]) => `${name}: ${c.error ? `down (${c.error})` : `up, ${c.latencyMs} ms`}`).join('\n');
  return h.readiness.ready ? { ok: true, text: 'ready', title } : { ok: false, text: `not ready: ${h.readiness.failing.join(', ')} down`, title };
}

/** Every worker host: capacity, what is placed on it, whether it answers, and its use over the last hours. Refreshed every 5 s. */
export function HostsAdmin() {
  const trpc = useTRPC();
  const hosts = useQuery({ ...trpc.admin.hosts.list.queryOptions(), refetchInterval: 5000 });
  if (!hosts.data) return <p className="muted">{hosts.error ? errorMessage(hosts.error) : 'Loading…'}</p>;
  if (!hosts.data.length) return <p className="muted">No host has registered yet: is a worker running?</p>;
  const advisories = hosts.data.filter((h) => h.guacdAdvisory);
  return (
    <>
    {advisories.length > 0 && (
      <div className="warn" role="alert" data-testid="guacd-advisory">
        {advisories.map((h) => <p key={h.id}>{h.id}: {h.guacdAdvisory}</p>)}
      </div>
    )}
    <table data-testid="host-list">
      <thead><tr><th>Host</th><th>Health</th><th>Use, last {hosts.data[0]!.historyHours} h</th><th>vCPU used / capacity</th><th>Memory used / capacity</th><th>Environments</th><th>Runtimes</th><th>guacd</th><th>Last heartbeat</th><th>Up since</th></tr></thead>
      <tbody>
        {hosts.data.map((h) => {
          const hh = health(h);
          return (
          <tr key={h.id} data-testid="host-row" data-health={h.schedulable ? (h.readiness && !h.readiness.ready ? 'unready' : 'healthy') : h.state}>
            <td>{h.id}</td>
            <td className={hh.ok ? 'ok' : 'error'} title={hh.title} data-testid="host-health">{hh.text}</td>
            <td><HostUsageChart history={h.history} cpuCapacity={h.cpuCapacity} memoryMiB={h.memoryMiB} now={new Date()} hours={h.historyHours} /></td>
            <td>{h.usage.cpu} / {h.cpuCapacity} ({pct(h.usage.cpu, h.cpuCapacity)})</td>
            <td>{h.usage.memoryMiB} / {h.memoryMiB} MiB ({pct(h.usage.memoryMiB, h.memoryMiB)})</td>
            <td>{h.usage.environments}</td>
            <td>{h.runtimes.join(', ')}</td>
            <td data-testid="host-guacd-version" className={h.guacdAdvisory ? 'warn' : undefined}>{h.guacdVersion ?? 'unknown'}</td>
            <td>{h.lastHeartbeatAt.toLocaleString()}</td>
            <td>{h.startedAt.toLocaleString()}</td>
          </tr>
          );
        })}
      </tbody>
    </table>
    </>
  );
}
