import { APP_CATALOG_DATA } from './app-catalog-data';

export const APP_CATEGORIES = [
  'terminal', 'browser', 'office', 'graphics', 'media', 'audio', 'editor', 'development',
  'utility', 'network', 'security', 'science', 'education', 'games', 'communication', 'system',
] as const;
export type AppCategory = (typeof APP_CATEGORIES)[number];

/**
 * One application this deployment knows how to install. Ids are Debian package
 * names (the spec's `apps`). The catalog is the composer's knowledge base: a
 * sentence can only name what is here (or in UNAVAILABLE_SOFTWARE, which says why not).
 */
export interface CatalogApp {
  id: string;
  name: string;
  /** Lowercase names that mean exactly this app: brand names, other spellings, common misspellings. */
  aliases: string[];
  /** Lowercase generic names ("browser", "office suite"). The first app in catalog order that lists a term wins it. */
  generic: string[];
  category: AppCategory;
  /** Debian 12 (bookworm) packages that provide it. */
  packages: string[];
  /** What the desktop launches at start; command-line tools run in a terminal. */
  command: string;
  requires: {
    /** It is useless offline (a browser, a mail client). */
    network: boolean;
    /** It has a graphical window (false: a command-line tool run in xterm). */
    desktop: boolean;
    /** It needs a kernel of its own (Docker, KVM, raw packet capture), so a container cannot host it. */
    vm: boolean;
  };
  /** Lives in the base image; needs no app layer. */
  preinstalled?: boolean;
}

export const APP_CATALOG: readonly CatalogApp[] = APP_CATALOG_DATA;

const byId = new Map(APP_CATALOG.map((a) => [a.id, a]));

/** Which catalog entry an app id means. Passed explicitly: no process remembers another caller's catalog. */
export type AppLookup = (id: string) => CatalogApp | undefined;

/** The built-in catalog only. */
export const findAppById: AppLookup = (id) => byId.get(id);

/**
 * A lookup where `apps` (database rows: apps admins added or edited) win
 * over the built-in entries. Provisioning resolves an environment's apps
 * this way when it starts, so an admin-added app installs and launches
 * without any earlier call having loaded it.
 */
export function catalogLookup(apps: readonly CatalogApp[]): AppLookup {
  const own = new Map(apps.map((a) => [a.id, a]));
  return (id) => own.get(id) ?? byId.get(id);
}

/** Debian packages an environment needs on top of the base image, sorted and unique. */
export function packagesForSpec(spec: { apps: string[]; packages: string[] }, lookup: AppLookup = findAppById): string[] {
  const set = new Set<string>(spec.packages);
  for (const id of spec.apps) {
    const app = lookup(id);
    if (!app) set.add(id); // catalog ids are package names
    else if (!app.preinstalled) app.packages.forEach((p) => set.add(p));
  }
  return [...set].sort();
}

/** Commands the desktop starts, in the order the user listed the apps. */
export const launchCommandsForSpec = (spec: { apps: string[] }, lookup: AppLookup = findAppById): string[] =>
  spec.apps.map((id) => lookup(id)?.command ?? id);

/** The apps' names for the desktop's menu and launcher bar, line for line with launchCommandsForSpec. */
export const launchNamesForSpec = (spec: { apps: string[] }, lookup: AppLookup = findAppById): string[] =>
  spec.apps.map((id) => (lookup(id)?.name ?? id).replace(/\s+/g, ' ').trim());
