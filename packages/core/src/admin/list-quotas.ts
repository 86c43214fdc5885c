import type { Actor, QuotaLimits, QuotaRecord, Store } from '../ports/store';
import { DEFAULT_LIMITS } from '../scheduling/enforce-quota';
import { requireAdmin } from './require-admin';

/** Every quota admins set, and the defaults everyone else gets. */
export async function listQuotas(opts: { store: Store; actor: Actor }): Promise<{ defaults: QuotaLimits; quotas: QuotaRecord[] }> {
  requireAdmin(opts.actor);
  return { defaults: DEFAULT_LIMITS, quotas: await opts.store.quotas.list() };
}
