import type { ActiveEnvironmentRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Desktops that hold a host now (provisioning, running, suspended), with their owner and since when. */
export async function listActiveEnvironments(opts: { store: Store; actor: Actor }): Promise<ActiveEnvironmentRecord[]> {
  requireAdmin(opts.actor);
  return opts.store.admin.environments.listActive();
}
