import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import { DEFAULT_LIMITS } from '../scheduling/enforce-quota';
import { parseAdminInput, quotaScopeSchema, subjectIdSchema } from './quota-limits';
import { requireAdmin } from './require-admin';
import type { QuotaResult } from './set-quota';

/** Puts a user or team back on the default limits. Resetting twice changes (and audits) nothing the second time. */
export async function resetQuota(opts: { store: Store; actor: Actor; scope: 'user' | 'team'; subjectId: string }): Promise<QuotaResult> {
  const actor = requireAdmin(opts.actor);
  const scope = parseAdminInput(quotaScopeSchema, opts.scope, 'scope');
  const subjectId = parseAdminInput(subjectIdSchema, opts.subjectId, 'subject id');
  return opts.store.transaction(async (tx) => {
    if (!(await tx.quotas.subjectExists(scope, subjectId))) throw new AppError('NOT_FOUND', `no ${scope} with id ${subjectId}`);
    await tx.lock(`genos:quota:${scope}:${subjectId}`);
    const before = await tx.quotas.find(scope, subjectId);
    if (before) {
      await tx.quotas.delete(scope, subjectId);
      if (before.priority !== DEFAULT_LIMITS.priority) await tx.quotas.reprioritiseQueued(scope, subjectId);
      await tx.audit.record({ actor, action: 'quota.reset', targetType: scope, targetId: subjectId, before, after: { defaults: DEFAULT_LIMITS } });
    }
    return { scope, subjectId, limits: DEFAULT_LIMITS, custom: false };
  });
}
