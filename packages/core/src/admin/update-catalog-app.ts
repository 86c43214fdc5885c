import { AppError } from '../errors/app-error';
import type { CatalogAppRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { catalogAppIdSchema, catalogAppPatchSchema, type CatalogAppPatch } from './catalog-app-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * Edits an application, or enables / disables (retires) it: a disabled app
 * is no longer composed; desktops already running keep it.
 */
export async function updateCatalogApp(opts: { store: Store; actor: Actor; id: string; patch: CatalogAppPatch }): Promise<CatalogAppRecord> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(catalogAppIdSchema, opts.id, 'application id');
  const p = parseAdminInput(catalogAppPatchSchema, opts.patch, 'application');
  return opts.store.transaction(async (tx) => {
    await tx.lock(`genos:catalog:${id}`);
    const before = await tx.admin.catalog.find(id);
    if (!before) throw new AppError('NOT_FOUND', `no application ${id} in the catalog`);
    const requires =
      p.needsNetwork === undefined && p.needsDesktop === undefined && p.needsVm === undefined
        ? undefined
        : { network: p.needsNetwork ?? before.requires.network, desktop: p.needsDesktop ?? before.requires.desktop, vm: p.needsVm ?? before.requires.vm };
    const after = await tx.admin.catalog.update(id, {
      name: p.name,
      category: p.category,
      aliases: p.aliases && [...new Set(p.aliases)],
      generic: p.generic && [...new Set(p.generic)],
      packages: p.packages,
      command: p.command,
      requires,
      enabled: p.enabled,
    });
    const action = p.enabled === false && before.enabled ? 'catalog.disable' : p.enabled === true && !before.enabled ? 'catalog.enable' : 'catalog.update';
    await tx.audit.record({ actor, action, targetType: 'catalog_app', targetId: id, before, after });
    return after;
  });
}
