import type { EnvironmentRecord, Tx } from '../ports/store';
import { pickHost } from './pick-host';

/** A host that has not sent a heartbeat for this long takes no new work. */
export const HOST_HEARTBEAT_TIMEOUT_MS = 20_000;

/**
 * Places queued environments on hosts with room, highest priority first,
 * and enqueues their provisioning on the chosen host's queue, all in the
 * caller's transaction. Runs after every create and whenever capacity frees
 * (and on a timer in every worker), serialised by one advisory lock so two
 * schedulers never hand out the same room.
 */
export async function scheduleQueued(opts: { tx: Tx; now?: Date; limit?: number }): Promise<EnvironmentRecord[]> {
  const { tx } = opts;
  const now = opts.now ?? new Date();
  await tx.lock('genos:scheduler');
  const hosts = await tx.hosts.listUp(new Date(now.getTime() - HOST_HEARTBEAT_TIMEOUT_MS));
  if (!hosts.length) return [];
  const usage = await tx.hosts.usage();
  const placed: EnvironmentRecord[] = [];
  for (const env of await tx.environments.listQueued(opts.limit ?? 200)) {
    const host = pickHost({ hosts, usage, spec: env.spec });
    if (!host) continue; // smaller ones behind it may still fit
    const u = usage.get(host.id) ?? { cpu: 0, memoryMiB: 0, environments: 0 };
    usage.set(host.id, { cpu: u.cpu + env.spec.resources.cpu, memoryMiB: u.memoryMiB + env.spec.resources.memoryMiB, environments: u.environments + 1 });
    placed.push(await tx.environments.update(env.id, { host: host.id }));
    await tx.jobs.enqueue('environment.provision', { environmentId: env.id }, { host: host.id });
  }
  return placed;
}
