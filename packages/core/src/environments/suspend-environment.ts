import { AppError } from '../errors/app-error';
import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { requestLifecycleJob } from './request-lifecycle-job';
import { transitionEnvironment } from './transition-environment';

/**
 * Asks for a running desktop to be suspended (its sandbox paused: memory and
 * processes kept, no CPU). The host holding it does the work. Suspending a
 * suspended desktop is not an error; any other state is refused.
 */
export function suspendEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  return requestLifecycleJob({ ...opts, job: 'environment.suspend', from: 'running', to: 'suspended', refusal: 'only a running desktop can be suspended' });
}

/**
 * Worker side of suspend: pause the sandbox and record `suspended`, both under
 * the row lock so a racing terminate or input re-check sees one answer. The
 * display bridge stays open for the resume. A redelivered job, or one for a
 * desktop no longer running, does nothing. `onlyIf` lets the lifetime policy
 * re-check its decision on the locked row.
 */
export async function performSuspend(opts: {
  store: Store;
  driver: RuntimeDriver;
  id: string;
  actor?: Actor;
  reason?: string;
  onlyIf?: (current: EnvironmentRecord) => boolean;
}): Promise<EnvironmentRecord | null> {
  const { driver } = opts;
  let paused: string | null = null;
  try {
    return await opts.store.transaction(async (tx) => {
      const env = await tx.environments.lock(opts.id);
      if (!env || env.state !== 'running' || !env.runtimeRef) return env;
      if (opts.onlyIf && !opts.onlyIf(env)) return env;
      const status = await driver.inspect(env.runtimeRef);
      if (status.state !== 'paused') {
        if (status.state !== 'running') throw new AppError('UNAVAILABLE', `the sandbox of ${env.id} is ${status.state}; it cannot be suspended`);
        await driver.suspend(env.runtimeRef);
        paused = env.runtimeRef;
      }
      return transitionEnvironment({
        tx,
        id: env.id,
        to: 'suspended',
        actor: opts.actor ?? { kind: 'worker' },
        reason: opts.reason ?? 'suspended on request',
        expectFrom: ['running'],
        // Suspending answers the idle warning.
        patch: env.warning === 'idle' ? { warning: null } : {},
      });
    });
  } catch (e) {
    // Nothing was recorded: leave the sandbox as the database says it is.
    if (paused) await driver.resume(paused).catch(() => undefined);
    throw e;
  }
}
