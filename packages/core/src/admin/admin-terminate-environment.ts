import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { terminateEnvironment } from '../environments/terminate-environment';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/** An admin ends someone's desktop through the normal terminate path (audited there, and here with who asked). */
export async function adminTerminateEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(adminIdSchema, opts.id, 'environment id');
  const before = await opts.store.environments.findById(id);
  const after = await terminateEnvironment({ store: opts.store, actor, id });
  await opts.store.transaction((tx) =>
    tx.audit.record({ actor, action: 'admin.environment.terminate', targetType: 'environment', targetId: id, before: { state: before?.state, ownerId: before?.ownerId }, after: { state: after.state } }),
  );
  return after;
}
