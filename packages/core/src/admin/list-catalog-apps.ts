import type { CatalogAppRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Every application row, enabled or retired, built-in or admin-added. */
export async function listCatalogApps(opts: { store: Store; actor: Actor; source?: 'builtin' | 'admin' }): Promise<CatalogAppRecord[]> {
  requireAdmin(opts.actor);
  const rows = await opts.store.admin.catalog.list();
  return opts.source ? rows.filter((r) => r.source === opts.source) : rows;
}
