import type { EnvironmentRecord, Store } from '../ports/store';
import { toPublicEnvironment, type PublicEnvironment } from './public-environment';

/** Waiting for capacity: requested and not yet placed on a host. */
export const isQueued = (env: EnvironmentRecord): boolean => env.state === 'requested' && env.host === null;

/**
 * The public view with its queue position ("3 ahead of you") for those still
 * waiting for a host; one short read transaction for all of them, none when
 * nothing is queued.
 */
export async function describeEnvironments(opts: { store: Store; envs: EnvironmentRecord[] }): Promise<PublicEnvironment[]> {
  const queued = opts.envs.filter(isQueued);
  const positions = new Map<string, number>();
  if (queued.length > 0) {
    await opts.store.transaction(async (tx) => {
      for (const env of queued) positions.set(env.id, await tx.environments.queuePosition(env.id));
    });
  }
  return opts.envs.map((env) => ({ ...toPublicEnvironment(env), queuePosition: positions.get(env.id) ?? null }));
}

export async function describeEnvironment(opts: { store: Store; env: EnvironmentRecord }): Promise<PublicEnvironment> {
  const [described] = await describeEnvironments({ store: opts.store, envs: [opts.env] });
  return described!;
}
