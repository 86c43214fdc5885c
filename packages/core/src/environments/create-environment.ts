import { AppError } from '../errors/app-error';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { enforceQuota } from '../scheduling/enforce-quota';
import { scheduleQueued } from '../scheduling/schedule-queued';
import { checkSpecSupported } from '../spec/check-supported';
import { DEPLOYMENT_CAPABILITIES, type DeploymentCapabilities } from '../spec/deployment-capabilities';
import { environmentSpecSchema } from '../spec/environment-spec';
import { specKey } from '../spec/spec-key';
import { auditRefusal, requireTeamRole, requireUser } from './authorize';

/**
 * Records a requested environment, checks the quota, and in the same
 * transaction either hands over a ready one from a matching warm pool or
 * places it on a host and enqueues its provisioning (or leaves it queued
 * when no host has room). Either everything is written or nothing is.
 */
export async function createEnvironment(opts: {
  store: Store;
  actor: Actor;
  spec: unknown;
  request?: string | null;
  teamId?: string | null;
  capabilities?: DeploymentCapabilities;
}): Promise<EnvironmentRecord> {
  const ownerId = requireUser(opts.actor);
  const parsed = environmentSpecSchema.safeParse(opts.spec);
  if (!parsed.success) {
    throw new AppError('VALIDATION', 'the environment spec is invalid', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const spec = parsed.data;
  const problems = checkSpecSupported(spec, opts.capabilities ?? DEPLOYMENT_CAPABILITIES);
  if (problems.length) {
    throw new AppError('UNSUPPORTED', problems.map((p) => p.message).join('; '), { problems });
  }
  const teamId = opts.teamId ?? null;
  if (spec.network.mode === 'team' && !teamId) {
    throw new AppError('VALIDATION', "the team network joins a team's desktops: create this environment in a team (teamId), or pick another network mode");
  }
  const request = opts.request ?? null;
  const audit = { store: opts.store, actor: opts.actor, action: 'environment.create', targetType: 'team', targetId: teamId };
  return auditRefusal(audit, () => opts.store.transaction(async (tx) => {
    // In a team: members and above create, viewers only look (authorize.ts).
    if (teamId) await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId, min: 'member', doing: 'creating an environment' });
    const { priority } = await enforceQuota({ tx, ownerId, teamId, spec });

    const pool = await tx.pools.findBySpecKey(specKey(spec));
    const member = pool?.enabled ? await tx.environments.claimPoolMember(pool.id) : null;
    if (pool && member) {
      const env = await tx.environments.update(member.id, { ownerId, teamId, name: spec.name, request, poolId: null, claimedAt: new Date() });
      await tx.events.append({ environmentId: env.id, fromState: env.state, toState: env.state, actor: opts.actor, reason: `claimed from warm pool ${pool.name}` });
      await tx.audit.record({ actor: opts.actor, action: 'environment.create', targetType: 'environment', targetId: env.id, before: null, after: { spec, state: env.state, teamId, pool: pool.name } });
      await tx.pools.markClaimed(pool.id, new Date());
      await tx.jobs.enqueue('pool.refill', { poolId: pool.id });
      return env;
    }

    const env = await tx.environments.insert({ name: spec.name, request, spec, ownerId, teamId, priority });
    await tx.events.append({ environmentId: env.id, fromState: null, toState: 'requested', actor: opts.actor, reason: 'created' });
    await tx.audit.record({ actor: opts.actor, action: 'environment.create', targetType: 'environment', targetId: env.id, before: null, after: { spec, state: env.state, teamId } });
    const placed = await scheduleQueued({ tx });
    return placed.find((e) => e.id === env.id) ?? env;
  }));
}
