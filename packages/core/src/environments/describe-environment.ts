import type { EnvironmentRecord, Store } from '../ports/store';
import { HOST_HEARTBEAT_TIMEOUT_MS } from '../scheduling/schedule-queued';
import { toPublicEnvironment, type PublicEnvironment } from './public-environment';

/** Waiting for capacity: requested and not yet placed on a host. */
export const isQueued = (env: EnvironmentRecord): boolean => env.state === 'requested' && env.host === null;

/** Still on its way to a desktop: a worker has to act on it. */
const isPending = (env: EnvironmentRecord): boolean => env.state === 'requested' || env.state === 'provisioning';

/**
 * The public view with its queue position ("3 ahead of you") for those still
 * waiting for a host, and `noLiveHost` for those no answering worker can take
 * (no host has sent a heartbeat lately, or the one it was placed on stopped):
 * the page then says so instead of "Preparing" forever. One short read
 * transaction for all of them, none when nothing is pending.
 */
export async function describeEnvironments(opts: { store: Store; envs: EnvironmentRecord[]; now?: Date }): Promise<PublicEnvironment[]> {
  const queued = opts.envs.filter(isQueued);
  const pending = opts.envs.filter(isPending);
  const positions = new Map<string, number>();
  let live = new Set<string>();
  if (pending.length > 0) {
    await opts.store.transaction(async (tx) => {
      for (const env of queued) positions.set(env.id, await tx.environments.queuePosition(env.id));
      const now = opts.now ?? new Date();
      live = new Set((await tx.hosts.listUp(new Date(now.getTime() - HOST_HEARTBEAT_TIMEOUT_MS))).map((h) => h.id));
    });
  }
  return opts.envs.map((env) => ({
    ...toPublicEnvironment(env),
    queuePosition: positions.get(env.id) ?? null,
    noLiveHost: isPending(env) && (env.host ? !live.has(env.host) : live.size === 0),
  }));
}

export async function describeEnvironment(opts: { store: Store; env: EnvironmentRecord }): Promise<PublicEnvironment> {
  const [described] = await describeEnvironments({ store: opts.store, envs: [opts.env] });
  return described!;
}
