import { AppError } from '../errors/app-error';
import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { auditRefusal, authorizeEnvironment, requireUser } from './authorize';
import { transitionEnvironment } from './transition-environment';

/** Asks for a suspended desktop to run again. Resuming a running one is not an error; any other state is refused. */
export async function resumeEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  const audit = { store: opts.store, actor: opts.actor, action: 'environment.resume', targetType: 'environment', targetId: opts.id };
  return auditRefusal(audit, () => opts.store.transaction(async (tx) => {
    const env = await authorizeEnvironment({ teams: tx.teams, actor: opts.actor, env: await tx.environments.lock(opts.id), id: opts.id, action: 'manage' });
    if (env.state === 'running') return env;
    if (env.state !== 'suspended' || !env.host) {
      throw new AppError('ILLEGAL_TRANSITION', `the environment is ${env.state}: only a suspended desktop can be resumed`, { from: env.state, to: 'running' });
    }
    await tx.audit.record({ actor: opts.actor, action: 'environment.resume.requested', targetType: 'environment', targetId: env.id, before: { state: env.state }, after: { state: env.state, requested: 'running' } });
    await tx.jobs.enqueue('environment.resume', { environmentId: env.id }, { host: env.host });
    return env;
  }));
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
