import { AppError } from '../errors/app-error';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { checkSpecSupported } from '../spec/check-supported';
import { environmentSpecSchema } from '../spec/environment-spec';
import { requireUser } from './authorize';

/**
 * Records a requested environment and enqueues its provisioning in one
 * transaction: either both exist or neither does.
 */
export async function createEnvironment(opts: {
  store: Store;
  actor: Actor;
  spec: unknown;
  request?: string | null;
  teamId?: string | null;
}): Promise<EnvironmentRecord> {
  const ownerId = requireUser(opts.actor);
  const parsed = environmentSpecSchema.safeParse(opts.spec);
  if (!parsed.success) {
    throw new AppError('VALIDATION', 'the environment spec is invalid', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const spec = parsed.data;
  const problems = checkSpecSupported(spec);
  if (problems.length) {
    throw new AppError('UNSUPPORTED', problems.map((p) => p.message).join('; '), { problems });
  }
  return opts.store.transaction(async (tx) => {
    const env = await tx.environments.insert({ name: spec.name, request: opts.request ?? null, spec, ownerId, teamId: opts.teamId ?? null });
    await tx.events.append({ environmentId: env.id, fromState: null, toState: 'requested', actor: opts.actor, reason: 'created' });
    await tx.audit.record({ actor: opts.actor, action: 'environment.create', targetType: 'environment', targetId: env.id, after: { spec, state: env.state } });
    await tx.jobs.enqueue('environment.provision', { environmentId: env.id });
    return env;
  });
}
