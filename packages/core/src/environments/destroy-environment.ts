import { isFinalState } from '../lifecycle/environment-state';
import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { transitionEnvironment } from './transition-environment';

/** Worker side of terminate: remove the sandbox, then record `terminated`. */
export async function destroyEnvironment(opts: { store: Store; driver: RuntimeDriver; id: string; actor?: Actor; reason?: string }): Promise<EnvironmentRecord | null> {
  const env = await opts.store.environments.findById(opts.id);
  if (!env || isFinalState(env.state)) return env;
  await opts.driver.terminate({ environmentId: env.id, runtimeRef: env.runtimeRef });
  return opts.store.transaction(async (tx) => {
    const current = await tx.environments.lock(opts.id);
    if (!current || isFinalState(current.state)) return current;
    return transitionEnvironment({
      tx,
      id: opts.id,
      to: 'terminated',
      actor: opts.actor ?? { kind: 'worker' },
      reason: opts.reason ?? 'terminated on request',
      patch: { terminatedAt: new Date(), displayEndpoint: null },
    });
  });
}
