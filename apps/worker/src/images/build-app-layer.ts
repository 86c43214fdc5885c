// Per-package-set app layers on top of the desktop base. The tag is derived
// from the package set, so the same set is built once and then reused.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type Dockerode from 'dockerode';
import { pack } from 'tar-stream';
import { BASE_TAG } from './build-base-image.ts';
import { followProgress, inspectImage, type Progress } from './docker-stream.ts';

export const APP_REPO = 'genos/desktop-apps';
const BASE_ID_LABEL = 'genos.base-id';
// Debian policy: lower case letters, digits, + - . ; at least 2 chars, starts alphanumeric.
const DEBIAN_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export interface EnsureAppLayerOptions {
  docker: Dockerode;
  packages: string[];
  onProgress?: Progress;
  /** Rebuild even when an up-to-date layer exists, without Docker's cache (an admin's rebuild). */
  force?: boolean;
}

function normalize(packages: string[]): string[] {
  return [...new Set(packages)].sort();
}

export function appLayerTag(packages: string[]): string {
  const hash = createHash('sha256').update(normalize(packages).join('\n')).digest('hex');
  return `${APP_REPO}:${hash.slice(0, 16)}`;
}

// Concurrent requests for the same tag share one build.
const inFlight = new Map<string, Promise<{ tag: string; built: boolean }>>();

export async function ensureAppLayer(opts: EnsureAppLayerOptions): Promise<{ tag: string; built: boolean }> {
  const packages = normalize(opts.packages);
  // Validate before touching Docker: names end up in a shell command line.
  const bad = packages.filter((p) => !DEBIAN_NAME.test(p));
  if (bad.length) throw new Error(`invalid Debian package name(s): ${bad.map((p) => JSON.stringify(p)).join(', ')}`);
  if (packages.length === 0) return { tag: BASE_TAG, built: false };

  const tag = appLayerTag(packages);
  let job = inFlight.get(tag);
  if (!job) {
    job = build(opts.docker, tag, packages, opts.onProgress, opts.force).finally(() => inFlight.delete(tag));
    inFlight.set(tag, job);
  }
  return job;
}

async function build(docker: Dockerode, tag: string, packages: string[], log: Progress = () => {}, force = false) {
  const base = await inspectImage(docker, BASE_TAG);
  if (!base) throw new Error(`${BASE_TAG} is missing: run ensureBaseImage first`);
  // The tag only names the package set; the label records which base it was
  // built on, so a rebuilt base makes its app layers rebuild too.
  const existing = await inspectImage(docker, tag);
  if (!force && existing?.labels[BASE_ID_LABEL] === base.id) {
    log(`${tag} is up to date (built on the current base image)`);
    return { tag, built: false };
  }

  // The base image already carries a no-recommends, no-docs apt/dpkg config.
  const dockerfile = [
    `FROM ${BASE_TAG}`,
    'USER root',
    // contrib too: some catalog apps (torbrowser-launcher) live there; it is still free software.
    "RUN sed -i -E 's/^(deb .+) main$/\\1 main contrib/' /etc/apt/sources.list \\",
    ' && apt-get update \\',
    ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')} \\`,
    ' && rm -rf /var/lib/apt/lists/*',
    `LABEL genos.managed=true genos.packages="${packages.join(' ')}" ${BASE_ID_LABEL}=${base.id}`,
    'USER 1000:1000',
    '',
  ].join('\n');
  // Build context: a one-file tar, assembled in memory (a few hundred bytes).
  const tar = pack();
  tar.entry({ name: 'Dockerfile' }, dockerfile);
  tar.finalize();
  const context = Readable.from([await buffer(tar)]);

  log(`building ${tag}: ${packages.join(' ')}`);
  // Default bridge network: apt inside the build reaches Debian's archive.
  const stream = await docker.buildImage(context, { t: tag, rm: true, forcerm: true, ...(force ? { nocache: true } : {}) });
  await followProgress(docker, stream, `docker build ${tag}`, log);
  // Drop a stale layer that the new build untagged (if nothing runs on it).
  if (existing) await docker.getImage(existing.id).remove().catch(() => {});
  return { tag, built: true };
}
