import type { Actor, HostRecord, HostSample, HostUsage, Store } from '../ports/store';
import { HOST_HEARTBEAT_TIMEOUT_MS } from '../scheduling/schedule-queued';
import { guacdAdvisory } from '../hosts/guacd-advisory';
import { requireAdmin } from './require-admin';

export interface HostView extends HostRecord {
  usage: HostUsage;
  free: { cpu: number; memoryMiB: number };
  /** Up and heartbeating: the scheduler places work here. */
  schedulable: boolean;
  /** What admins should know about its guacd (an old release), or null. */
  guacdAdvisory: string | null;
  /** Its samples over the last `historyHours`, oldest first (hosts/record-host-sample.ts). */
  history: Omit<HostSample, 'hostId'>[];
  historyHours: number;
}

/** How far back the Hosts page's chart reaches. */
export const HOST_HISTORY_HOURS = 6;

/** Every registered host with what is placed on it and what is left. */
export async function listHosts(opts: { store: Store; actor: Actor; now?: Date }): Promise<HostView[]> {
  requireAdmin(opts.actor);
  const now = (opts.now ?? new Date()).getTime();
  const [hosts, usage, samples] = await Promise.all([
    opts.store.hosts.list(),
    opts.store.transaction((tx) => tx.hosts.usage()),
    opts.store.hosts.samples(new Date(now - HOST_HISTORY_HOURS * 3600_000)),
  ]);
  return hosts.map((h) => {
    const u = usage.get(h.id) ?? { cpu: 0, memoryMiB: 0, environments: 0 };
    return {
      ...h,
      usage: u,
      free: { cpu: Math.max(0, h.cpuCapacity - u.cpu), memoryMiB: Math.max(0, h.memoryMiB - u.memoryMiB) },
      schedulable: h.state === 'up' && now - h.lastHeartbeatAt.getTime() < HOST_HEARTBEAT_TIMEOUT_MS,
      guacdAdvisory: guacdAdvisory(h.guacdVersion),
      history: samples.filter((s) => s.hostId === h.id).map(({ hostId: _hostId, ...s }) => s),
      historyHours: HOST_HISTORY_HOURS,
    };
  });
}
