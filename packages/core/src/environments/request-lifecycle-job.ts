import { AppError } from '../errors/app-error';
import type { EnvironmentState } from '../lifecycle/environment-state';
import type { Actor, EnvironmentRecord, HostJobName, Store } from '../ports/store';
import { auditRefusal, authorizeEnvironment, requireUser } from './authorize';

/**
 * The user side of suspend and resume: authorize, accept only `from` (already
 * at `to` is not an error), audit the request and enqueue the job on the
 * host holding the desktop, all under the row lock.
 */
export async function requestLifecycleJob(opts: {
  store: Store;
  actor: Actor;
  id: string;
  job: Extract<HostJobName, 'environment.suspend' | 'environment.resume'>;
  from: EnvironmentState;
  to: EnvironmentState;
  /** For the refusal: "only a running desktop can be suspended". */
  refusal: string;
}): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  const action = opts.job;
  const audit = { store: opts.store, actor: opts.actor, action, targetType: 'environment', targetId: opts.id };
  return auditRefusal(audit, () => opts.store.transaction(async (tx) => {
    const env = await authorizeEnvironment({ teams: tx.teams, actor: opts.actor, env: await tx.environments.lock(opts.id), id: opts.id, action: 'manage' });
    if (env.state === opts.to) return env;
    if (env.state !== opts.from || !env.host) {
      throw new AppError('ILLEGAL_TRANSITION', `the environment is ${env.state}: ${opts.refusal}`, { from: env.state, to: opts.to });
    }
    await tx.audit.record({ actor: opts.actor, action: `${action}.requested`, targetType: 'environment', targetId: env.id, before: { state: env.state }, after: { state: env.state, requested: opts.to } });
    await tx.jobs.enqueue(opts.job, { environmentId: env.id }, { host: env.host });
    return env;
  }));
}
