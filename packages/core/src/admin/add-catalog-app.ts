import { AppError } from '../errors/app-error';
import type { CatalogAppRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { catalogAppInputSchema, type CatalogAppInput } from './catalog-app-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * Adds an application to the composer's catalog. Its id is the Debian
 * package name (and the default package); composers see it within seconds.
 */
export async function addCatalogApp(opts: { store: Store; actor: Actor; app: CatalogAppInput }): Promise<CatalogAppRecord> {
  const actor = requireAdmin(opts.actor);
  const a = parseAdminInput(catalogAppInputSchema, opts.app, 'application');
  return opts.store.transaction(async (tx) => {
    await tx.lock(`genos:catalog:${a.id}`);
    if (await tx.admin.catalog.find(a.id)) throw new AppError('CONFLICT', `the catalog already has ${a.id}`);
    const row = await tx.admin.catalog.insert({
      id: a.id,
      name: a.name,
      aliases: [...new Set(a.aliases)],
      generic: [...new Set(a.generic)],
      category: a.category,
      packages: a.packages ?? [a.id],
      command: a.command,
      requires: { network: a.needsNetwork, desktop: a.needsDesktop, vm: a.needsVm },
      enabled: a.enabled,
      source: 'admin',
    });
    await tx.audit.record({ actor, action: 'catalog.add', targetType: 'catalog_app', targetId: row.id, before: null, after: row });
    return row;
  });
}
