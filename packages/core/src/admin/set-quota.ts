import { AppError } from '../errors/app-error';
import type { Actor, QuotaLimits, Store } from '../ports/store';
import { DEFAULT_LIMITS } from '../scheduling/enforce-quota';
import { parseAdminInput, quotaLimitsSchema, quotaScopeSchema, subjectIdSchema } from './quota-limits';
import { requireAdmin } from './require-admin';

export interface QuotaResult {
  scope: 'user' | 'team';
  subjectId: string;
  limits: QuotaLimits;
  /** False when the subject is back on the defaults. */
  custom: boolean;
}

/**
 * Sets a user's or team's limits and scheduling priority. Takes the same
 * lock as enforceQuota, so a create running now sees either the old limits
 * or the new ones. Lowering a limit ends nothing already running; it refuses
 * the next create. Queued environments move to the new priority at once.
 */
export async function setQuota(opts: { store: Store; actor: Actor; scope: 'user' | 'team'; subjectId: string; limits: QuotaLimits }): Promise<QuotaResult> {
  const actor = requireAdmin(opts.actor);
  const scope = parseAdminInput(quotaScopeSchema, opts.scope, 'scope');
  const subjectId = parseAdminInput(subjectIdSchema, opts.subjectId, 'subject id');
  const limits = parseAdminInput(quotaLimitsSchema, opts.limits, 'quota');
  return opts.store.transaction(async (tx) => {
    if (!(await tx.quotas.subjectExists(scope, subjectId))) throw new AppError('NOT_FOUND', `no ${scope} with id ${subjectId}`);
    await tx.lock(`genos:quota:${scope}:${subjectId}`);
    const before = await tx.quotas.find(scope, subjectId);
    const after = await tx.quotas.upsert(scope, subjectId, limits);
    if ((before?.priority ?? DEFAULT_LIMITS.priority) !== after.priority) await tx.quotas.reprioritiseQueued(scope, subjectId);
    await tx.audit.record({ actor, action: 'quota.set', targetType: scope, targetId: subjectId, before: before ?? { defaults: DEFAULT_LIMITS }, after });
    return { scope, subjectId, limits: after, custom: true };
  });
}
