// Seeds the composer's knowledge base (applications, operating systems,
// desktops) from @genos/core. Rows admins edited (source != 'builtin') are
// never overwritten; unchanged rows are not written, so a second run is a no-op.
import { APP_CATALOG, DESKTOP_CATALOG, FULL_CAPABILITIES, OS_CATALOG } from '@genos/core';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { SeedHook } from './hooks.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function seedApps(prisma: PrismaClient): Promise<number> {
  const existing = new Map((await prisma.catalogApp.findMany()).map((r) => [r.id, r]));
  let written = 0;
  for (const app of APP_CATALOG) {
    const data = {
      name: app.name, aliases: app.aliases, generic: app.generic, category: app.category, packages: app.packages, command: app.command,
      needsNetwork: app.requires.network, needsDesktop: app.requires.desktop, needsVm: app.requires.vm, preinstalled: app.preinstalled ?? false,
    };
    const row = existing.get(app.id);
    if (!row) await prisma.catalogApp.create({ data: { id: app.id, ...data } });
    else if (row.source !== 'builtin' || Object.entries(data).every(([k, v]) => same(row[k as keyof typeof row], v))) continue;
    else await prisma.catalogApp.update({ where: { id: app.id }, data });
    written++;
  }
  return written;
}

async function seedPlatforms(prisma: PrismaClient): Promise<number> {
  const osRows = OS_CATALOG.flatMap((os) =>
    (os.releases.length ? os.releases.map((r) => r.version) : [os.defaultRelease]).map((release) => {
      const buildable = FULL_CAPABILITIES.os[os.distro]?.includes(release) ?? false;
      return { distro: os.distro, release, name: os.name, family: os.family, buildable, whyNot: buildable ? null : (os.whyNot ?? `GenOS builds ${Object.entries(FULL_CAPABILITIES.os).map(([d, r]) => `${d} ${r.join('/')}`).join(', ')} only`) };
    }),
  );
  const desktopRows = DESKTOP_CATALOG.map((d) => ({ id: d.id, name: d.name, packages: d.packages, buildable: FULL_CAPABILITIES.desktops.includes(d.id), whyNot: d.whyNot ?? null }));
  const oldOs = new Map((await prisma.catalogOs.findMany()).map((r) => [`${r.distro}/${r.release}`, r]));
  const oldDesktops = new Map((await prisma.catalogDesktop.findMany()).map((r) => [r.id, r]));
  let written = 0;
  for (const row of osRows) {
    const old = oldOs.get(`${row.distro}/${row.release}`);
    if (old && Object.entries(row).every(([k, v]) => same(old[k as keyof typeof old], v))) continue;
    await prisma.catalogOs.upsert({ where: { distro_release: { distro: row.distro, release: row.release } }, create: row, update: row });
    written++;
  }
  for (const row of desktopRows) {
    const old = oldDesktops.get(row.id);
    if (old && Object.entries(row).every(([k, v]) => same(old[k as keyof typeof old], v))) continue;
    await prisma.catalogDesktop.upsert({ where: { id: row.id }, create: row, update: row });
    written++;
  }
  return written;
}

export const seedKnowledgeBase: SeedHook = async (prisma, { log }) => {
  const apps = await seedApps(prisma);
  const platforms = await seedPlatforms(prisma);
  if (apps + platforms > 0) log(`catalog: knowledge base updated (${apps} applications, ${platforms} platforms/desktops written; ${APP_CATALOG.length} applications known)`);
};
