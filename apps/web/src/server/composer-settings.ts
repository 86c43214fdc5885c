import os from 'node:os';
import {
  APP_CATALOG,
  boundsFor,
  capabilitiesFor,
  capabilitiesForHosts,
  type CatalogApp,
  composerModelFromEnv,
  type composeRequest,
  type DeploymentCapabilities,
  effectiveBounds,
  type ResourceBounds,
  type Store,
  toCatalogApp,
} from '@genos/core';
import { env } from '../env';

export interface ComposerSettings {
  bounds: ResourceBounds;
  capabilities: DeploymentCapabilities;
  model?: LanguageModel;
  timeoutMs: number;
  /** The application catalog (the database's, see composerCatalog); the built-in one when absent. */
  catalog?: readonly CatalogApp[];
}

let cached: ComposerSettings | undefined;

/** The language model type the AI SDK expects, without importing the SDK here. */
type LanguageModel = NonNullable<Parameters<typeof composeRequest>[0]['model']>;

/**
 * The composer's view of this deployment: the default quota capped by the
 * host's size (per-user quotas replace the default once admins set them) and
 * a language model only when one is configured.
 */
export function composerSettings(): ComposerSettings {
  if (cached) return cached;
  const e = env();
  return (cached = {
    bounds: boundsFor({ hostCpus: os.cpus().length, hostMemoryMiB: Math.floor(os.totalmem() / 2 ** 20) }),
    capabilities: capabilitiesFor({ torBrowser: torBrowserConfigured() }),
    model: composerModelFromEnv({ GENOS_LLM_BASE_URL: e.GENOS_LLM_BASE_URL, GENOS_LLM_MODEL: e.GENOS_LLM_MODEL, GENOS_LLM_API_KEY: e.GENOS_LLM_API_KEY }),
    timeoutMs: e.GENOS_LLM_TIMEOUT_MS,
  });
}

/**
 * The composer's settings for one caller: the bounds are their effective
 * quota (the smaller of their own and their team's) capped by the host's size.
 */
export async function composerSettingsFor(opts: { store: Store; userId: string; teamId?: string | null }): Promise<ComposerSettings> {
  const [bounds, catalog, capabilities] = await Promise.all([
    effectiveBounds({ ...opts, hostCpus: os.cpus().length, hostMemoryMiB: Math.floor(os.totalmem() / 2 ** 20) }),
    composerCatalog(opts.store),
    liveCapabilities(opts.store),
  ]);
  return { ...composerSettings(), bounds, catalog, capabilities };
}

/** What the deployment builds now: virtual machines only while a live host offers libvirt; Tor Browser only with a source for it. */
export async function liveCapabilities(store: Store): Promise<DeploymentCapabilities> {
  return capabilitiesForHosts(await store.hosts.list(), { torBrowser: torBrowserConfigured() });
}

/** GENOS_TOR_BROWSER_SOURCE is set: the workers' app layer builds install Tor Browser from it. */
const torBrowserConfigured = () => Boolean(env().GENOS_TOR_BROWSER_SOURCE);

const CATALOG_TTL_MS = 10_000;
let catalogCache: { at: number; apps: Promise<readonly CatalogApp[]> } | undefined;

/** Drops the cached catalog: the next compose reads the database (called after every admin catalog change). */
export function invalidateComposerCatalog(): void {
  catalogCache = undefined;
}

/**
 * The catalog the composer uses: the built-in applications in their order,
 * replaced by their database rows, without the ones admins disabled, then
 * the applications admins added. Read at most every 10 s; one array per
 * read, so the composer's per-catalog index is built once per read.
 */
export function composerCatalog(store: Store, now = Date.now()): Promise<readonly CatalogApp[]> {
  if (catalogCache && now - catalogCache.at < CATALOG_TTL_MS) return catalogCache.apps;
  const apps = store.admin.catalog.list().then(
    (rows) => {
      const byId = new Map(rows.map((r) => [r.id, r]));
      const merged: CatalogApp[] = [];
      for (const app of APP_CATALOG) {
        const row = byId.get(app.id);
        if (!row) merged.push(app);
        else if (row.enabled) merged.push(toCatalogApp(row));
      }
      const builtin = new Set(APP_CATALOG.map((a) => a.id));
      const added = rows.filter((r) => r.enabled && !builtin.has(r.id)).map(toCatalogApp);
      merged.push(...added);
      return merged;
    },
    (e: unknown) => {
      catalogCache = undefined;
      throw e;
    },
  );
  catalogCache = { at: now, apps };
  return apps;
}
