import { z } from 'zod';
import { AppError } from '../errors/app-error';
import { findAppById } from '../catalog/app-catalog';
import type { ImageRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { DEBIAN_PACKAGE_NAME } from '../spec/environment-spec';
import { appLayerTagFor } from './app-layer-tag';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

export const imagePackagesSchema = z
  .array(z.string().min(2).max(64).regex(DEBIAN_PACKAGE_NAME, 'must be a Debian package name'))
  .min(1, 'name at least one package')
  .max(50);

/**
 * Builds (or rebuilds) the app layer for a package set: the Image row goes
 * `pending` (version bumped on a rebuild) and an `image.build` job on the
 * shared queue lets a worker run the Docker build, streaming its log into
 * the row. A set already building is refused.
 * `apps` are catalog ids: their packages are used (the id itself otherwise).
 */
export async function buildImage(opts: { store: Store; actor: Actor; packages?: string[]; apps?: string[] }): Promise<ImageRecord> {
  const actor = requireAdmin(opts.actor);
  const fromApps = opts.apps === undefined ? [] : parseAdminInput(imagePackagesSchema, opts.apps, 'applications');
  let appPackages: string[] = [];
  if (fromApps.length) {
    const rows = await opts.store.admin.catalog.list({ ids: fromApps });
    appPackages = fromApps.flatMap((id) => {
      const app = rows.find((r) => r.id === id) ?? findAppById(id);
      return app?.preinstalled ? [] : (app?.packages ?? [id]);
    });
  }
  const own = opts.packages === undefined ? [] : parseAdminInput(imagePackagesSchema, opts.packages, 'packages');
  const packages = [...new Set([...own, ...appPackages])].sort();
  if (!packages.length) throw new AppError('VALIDATION', 'nothing to build: those applications live in the base image');
  const tag = appLayerTagFor(packages);
  return opts.store.transaction(async (tx) => {
    await tx.lock(`genos:image:${tag}`);
    const before = await tx.admin.images.findByTag(tag);
    if (before && (before.status === 'pending' || before.status === 'building')) throw new AppError('CONFLICT', `${tag} is already ${before.status}`);
    const img = before
      ? await tx.admin.images.update(before.id, { status: 'pending', version: before.version + 1, retiredAt: null, buildLog: '' })
      : await tx.admin.images.insert({ kind: 'apps', tag, packages });
    await tx.jobs.enqueue('image.build', { imageId: img.id });
    await tx.audit.record({
      actor,
      action: before ? 'image.rebuild' : 'image.build',
      targetType: 'image',
      targetId: img.id,
      before: before ? { status: before.status, version: before.version, retiredAt: before.retiredAt } : null,
      after: { tag, packages, status: img.status, version: img.version },
    });
    return img;
  });
}
