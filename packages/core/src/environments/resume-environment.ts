import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { requestLifecycleJob } from './request-lifecycle-job';
import { transitionEnvironment } from './transition-environment';

/** Asks for a suspended desktop to run again. Resuming a running one is not an error; any other state is refused. */
export function resumeEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  return requestLifecycleJob({ ...opts, job: 'environment.resume', from: 'suspended', to: 'running', refusal: 'only a suspended desktop can be resumed' });
}

/**
 * Worker side of resume: unpause the same sandbox, wait for its display to
 * answer, record `running`, all under the row lock. Resuming counts as input,
 * so the idle clock starts again. A sandbox that vanished while suspended is
 * recorded as failed rather than retried forever.
 */
export async function performResume(opts: { store: Store; driver: RuntimeDriver; id: string; actor?: Actor; reason?: string; now?: Date }): Promise<EnvironmentRecord | null> {
  const { driver } = opts;
  const actor = opts.actor ?? { kind: 'worker' };
  let unpaused: string | null = null;
  try {
    return await opts.store.transaction(async (tx) => {
      const env = await tx.environments.lock(opts.id);
      if (!env || env.state !== 'suspended' || !env.runtimeRef) return env;
      const status = await driver.inspect(env.runtimeRef);
      if (status.state !== 'paused' && status.state !== 'running') {
        const error = `the sandbox is ${status.state}${status.detail ? ` (${status.detail})` : ''}: it cannot be resumed`;
        return transitionEnvironment({ tx, id: env.id, to: 'failed', actor, reason: error, expectFrom: ['suspended'], patch: { error, displayEndpoint: null } });
      }
      if (status.state === 'paused') {
        await driver.resume(env.runtimeRef);
        unpaused = env.runtimeRef;
      }
      const displayEndpoint = await driver.displayEndpoint(env.runtimeRef, { timeoutMs: 10_000 });
      return transitionEnvironment({
        tx,
        id: env.id,
        to: 'running',
        actor,
        reason: opts.reason ?? 'resumed on request',
        expectFrom: ['suspended'],
        patch: { displayEndpoint, lastInputAt: opts.now ?? new Date(), ...(env.warning === 'idle' ? { warning: null } : {}) },
      });
    });
  } catch (e) {
    if (unpaused) await driver.suspend(unpaused).catch(() => undefined);
    throw e;
  }
}
