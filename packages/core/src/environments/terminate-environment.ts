import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { auditRefusal, authorizeEnvironment, requireUser } from './authorize';
import { transitionEnvironment } from './transition-environment';

/**
 * Asks for an environment to end. Nothing runs yet for a `requested` one, so
 * it ends at once; otherwise the worker removes the sandbox and records the
 * transition. Terminating twice is not an error.
 */
export async function terminateEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  const audit = { store: opts.store, actor: opts.actor, action: 'environment.terminate', targetType: 'environment', targetId: opts.id };
  return auditRefusal(audit, () => opts.store.transaction(async (tx) => {
    const env = await authorizeEnvironment({ teams: tx.teams, actor: opts.actor, env: await tx.environments.lock(opts.id), id: opts.id, action: 'manage' });
    if (env.state === 'terminated') return env;
    // Nothing runs yet (still queued, or its job not picked up): it ends at once
    // and a late provision job finds it terminated and does nothing.
    if (env.state === 'requested' || !env.host) {
      return transitionEnvironment({ tx, id: env.id, to: 'terminated', actor: opts.actor, reason: 'terminated before provisioning', patch: { terminatedAt: new Date() } });
    }
    await tx.audit.record({ actor: opts.actor, action: 'environment.terminate.requested', targetType: 'environment', targetId: env.id, before: { state: env.state }, after: { state: env.state, requested: 'terminated' } });
    await tx.jobs.enqueue('environment.terminate', { environmentId: env.id }, { host: env.host });
    return env;
  }));
}
