import type { Actor, HostRecord, HostUsage, Store } from '../ports/store';
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
}

/** Every registered host with what is placed on it and what is left. */
export async function listHosts(opts: { store: Store; actor: Actor; now?: Date }): Promise<HostView[]> {
  requireAdmin(opts.actor);
  const now = (opts.now ?? new Date()).getTime();
  const [hosts, usage] = await Promise.all([opts.store.hosts.list(), opts.store.transaction((tx) => tx.hosts.usage())]);
  return hosts.map((h) => {
    const u = usage.get(h.id) ?? { cpu: 0, memoryMiB: 0, environments: 0 };
    return {
      ...h,
      usage: u,
      free: { cpu: Math.max(0, h.cpuCapacity - u.cpu), memoryMiB: Math.max(0, h.memoryMiB - u.memoryMiB) },
      schedulable: h.state === 'up' && now - h.lastHeartbeatAt.getTime() < HOST_HEARTBEAT_TIMEOUT_MS,
      guacdAdvisory: guacdAdvisory(h.guacdVersion),
    };
  });
}
