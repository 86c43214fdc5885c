// Per-package-set app layers on top of the desktop base. The tag is derived
// from the package set, so the same set is built once and then reused.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import { pack } from 'tar-stream';
import { TOR_BROWSER_PACKAGE } from '@genos/core';
import { BASE_TAG } from './build-base-image.ts';
import { followProgress, inspectImage, type Progress } from './docker-stream.ts';

export const APP_REPO = 'genos/desktop-apps';
const BASE_ID_LABEL = 'genos.base-id';
/** The sha256 of the Tor Browser tarball a layer was built with: a new tarball rebuilds the layer. */
const TOR_BROWSER_LABEL = 'genos.torbrowser-sha256';
/** Marks the unpacking stage's image, which the classic builder leaves behind untagged: removed after the build. */
const STAGE_LABEL = 'genos.stage';
// Debian policy: lower case letters, digits, + - . ; at least 2 chars, starts alphanumeric.
const DEBIAN_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** Where downloaded Tor Browser tarballs are kept, by sha256 (the build host's cache). */
const TOR_BROWSER_CACHE = '/var/lib/genos/build/torbrowser';
/** Tor Browser is a Firefox build: what it needs from Debian beyond the base image (GTK 3, D-Bus GLib, ALSA, XCB). */
export const TOR_BROWSER_DEPENDS = ['libasound2', 'libdbus-glib-1-2', 'libgtk-3-0', 'libx11-xcb1', 'libxtst6'];

/**
 * Where Tor Browser comes from (GENOS_TOR_BROWSER_SOURCE, GENOS_TOR_BROWSER_SHA256):
 * a Tor Browser for Linux tarball (tor-browser-linux-x86_64-<version>.tar.xz)
 * the build host can read or fetch. Unset: Tor Browser is not offered.
 */
export interface TorBrowserSource {
  /** An https:// URL or an absolute path on the build host. */
  source: string;
  /** Its sha256 in hex: required for a URL (the download is checked against it), checked for a file when given. */
  sha256?: string;
}

export interface EnsureAppLayerOptions {
  docker: Dockerode;
  packages: string[];
  onProgress?: Progress;
  /** Rebuild even when an up-to-date layer exists, without Docker's cache (an admin's rebuild). */
  force?: boolean;
  /** Where Tor Browser comes from when the set asks for it (TOR_BROWSER_PACKAGE); default: the worker's environment. */
  torBrowser?: TorBrowserSource | null;
}

function normalize(packages: string[]): string[] {
  return [...new Set(packages)].sort();
}

export function appLayerTag(packages: string[]): string {
  const hash = createHash('sha256').update(normalize(packages).join('\n')).digest('hex');
  return `${APP_REPO}:${hash.slice(0, 16)}`;
}

/** The Tor Browser source this worker is configured with, if any (validated by checkTorBrowserSource when used). */
export function torBrowserSourceFromEnv(env: NodeJS.ProcessEnv = process.env): TorBrowserSource | undefined {
  const source = env.GENOS_TOR_BROWSER_SOURCE?.trim();
  if (!source) return undefined;
  const sha256 = env.GENOS_TOR_BROWSER_SHA256?.trim().toLowerCase();
  return { source, ...(sha256 ? { sha256 } : {}) };
}

/** Refuses a source that could not be trusted or found: a URL must be https and pinned by its sha256; a file, an absolute path. */
export function checkTorBrowserSource(s: TorBrowserSource): void {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(s.source);
  if (url && !/^https:\/\//i.test(s.source)) throw new Error(`GENOS_TOR_BROWSER_SOURCE must be an https:// URL or an absolute path, not ${s.source}`);
  if (!url && !isAbsolute(s.source)) throw new Error(`GENOS_TOR_BROWSER_SOURCE must be an absolute path on the build host, not ${s.source}`);
  if (s.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(s.sha256)) throw new Error('GENOS_TOR_BROWSER_SHA256 must be 64 hex digits');
  if (url && !s.sha256) throw new Error('GENOS_TOR_BROWSER_SHA256 is required with a URL source: the download is checked against it');
}

/**
 * The Dockerfile of an app layer. Debian packages come from the archive (main
 * and contrib); TOR_BROWSER_PACKAGE is not one of them: it adds Tor Browser's
 * libraries to the apt list and a stage that unpacks the tarball from the
 * build context into /opt/torbrowser (the base image's `torbrowser` starts
 * it), so the tarball itself never becomes a layer of the image.
 */
export function appLayerDockerfile(opts: { packages: string[]; baseId: string; torBrowserSha256?: string }): string {
  const packages = normalize(opts.packages);
  const tor = packages.includes(TOR_BROWSER_PACKAGE);
  if (tor && !opts.torBrowserSha256) throw new Error('appLayerDockerfile: a Tor Browser layer needs the tarball sha256');
  const apt = normalize([...packages.filter((p) => p !== TOR_BROWSER_PACKAGE), ...(tor ? TOR_BROWSER_DEPENDS : [])]);
  const labels = [`genos.managed=true`, `genos.packages="${packages.join(' ')}"`, `${BASE_ID_LABEL}=${opts.baseId}`, ...(tor ? [`${TOR_BROWSER_LABEL}=${opts.torBrowserSha256}`] : [])];
  // The base image already carries a no-recommends, no-docs apt/dpkg config.
  return [
    ...(tor
      ? [
          `FROM ${BASE_TAG} AS torbrowser`,
          'USER root',
          'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends xz-utils',
          'COPY torbrowser.tar.xz /tmp/torbrowser.tar.xz',
          // One top folder (tor-browser/), whatever its name; root-owned, read-only for the desktop user.
          'RUN mkdir /tmp/tb && tar -xJf /tmp/torbrowser.tar.xz -C /tmp/tb --no-same-owner \\',
          ' && set -- /tmp/tb/* && [ "$#" -eq 1 ] && [ -x "$1/Browser/start-tor-browser" ] \\',
          ` && mv "$1" /opt/torbrowser && echo ${opts.torBrowserSha256} > /opt/torbrowser/.genos-build \\`,
          ' && chown -R root:root /opt/torbrowser && chmod -R go-w /opt/torbrowser',
          `LABEL ${STAGE_LABEL}=torbrowser`,
          '',
        ]
      : []),
    `FROM ${BASE_TAG}`,
    'USER root',
    ...(apt.length
      ? [
          // contrib too: it is still free software, and some admins' package sets need it.
          "RUN sed -i -E 's/^(deb .+) main$/\\1 main contrib/' /etc/apt/sources.list \\",
          ' && apt-get update \\',
          ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${apt.join(' ')} \\`,
          ' && rm -rf /var/lib/apt/lists/*',
        ]
      : []),
    ...(tor ? ['COPY --from=torbrowser /opt/torbrowser /opt/torbrowser'] : []),
    `LABEL ${labels.join(' ')}`,
    'USER 1000:1000',
    '',
  ].join('\n');
}

const sha256File = async (file: string) => {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
};
// A local file is hashed once per path, size and mtime in this process (a tarball is ~100 MB).
const fileHashes = new Map<string, string>();

/**
 * The tarball on the build host and its sha256: a file is used where it is
 * (checked against GENOS_TOR_BROWSER_SHA256 when set); a URL is downloaded
 * once into the build cache and checked against its pinned sha256.
 */
export async function resolveTorBrowser(
  s: TorBrowserSource,
  opts: { cacheDir?: string; onProgress?: Progress } = {},
): Promise<{ file: string; sha256: string }> {
  checkTorBrowserSource(s);
  const log = opts.onProgress ?? (() => {});
  if (!/^https:\/\//i.test(s.source)) {
    const st = await stat(s.source).catch(() => undefined);
    if (!st?.isFile()) throw new Error(`Tor Browser source ${s.source} is not a file on this build host`);
    const key = `${s.source}\0${st.size}\0${st.mtimeMs}`;
    let sha256 = fileHashes.get(key);
    if (!sha256) fileHashes.set(key, (sha256 = await sha256File(s.source)));
    if (s.sha256 && sha256 !== s.sha256) throw new Error(`Tor Browser source ${s.source} has sha256 ${sha256}, not the configured ${s.sha256}`);
    return { file: s.source, sha256 };
  }
  const want = s.sha256!;
  const dir = opts.cacheDir ?? TOR_BROWSER_CACHE;
  const file = join(dir, `${want}.tar.xz`);
  if ((await stat(file).catch(() => undefined))?.isFile()) return { file, sha256: want };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const part = `${file}.${process.pid}.part`;
  log(`Tor Browser: downloading ${s.source}`);
  try {
    const res = await fetch(s.source, { redirect: 'follow', signal: AbortSignal.timeout(15 * 60_000) });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const h = createHash('sha256');
    const tee = new PassThrough();
    tee.on('data', (chunk: Buffer) => h.update(chunk));
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tee, createWriteStream(part, { mode: 0o600 }));
    const got = h.digest('hex');
    if (got !== want) throw new Error(`the download has sha256 ${got}, not the configured ${want}`);
    await rename(part, file);
    log(`Tor Browser: ${s.source} verified (sha256 ${want})`);
    return { file, sha256: want };
  } catch (err) {
    await rm(part, { force: true });
    throw new Error(`Tor Browser could not be fetched from ${s.source}: ${(err as Error).message}`);
  }
}

// Concurrent requests for the same tag share one build.
const inFlight = new Map<string, Promise<{ tag: string; built: boolean }>>();

export async function ensureAppLayer(opts: EnsureAppLayerOptions): Promise<{ tag: string; built: boolean }> {
  const packages = normalize(opts.packages);
  // Validate before touching Docker: names end up in a shell command line.
  const bad = packages.filter((p) => !DEBIAN_NAME.test(p));
  if (bad.length) throw new Error(`invalid Debian package name(s): ${bad.map((p) => JSON.stringify(p)).join(', ')}`);
  if (packages.length === 0) return { tag: BASE_TAG, built: false };
  const torBrowser = packages.includes(TOR_BROWSER_PACKAGE) ? (opts.torBrowser === undefined ? torBrowserSourceFromEnv() : opts.torBrowser) : undefined;
  if (packages.includes(TOR_BROWSER_PACKAGE)) {
    if (!torBrowser) throw new Error('Tor Browser cannot be installed on this deployment: no Tor Browser source is configured (GENOS_TOR_BROWSER_SOURCE)');
    checkTorBrowserSource(torBrowser);
  }

  const tag = appLayerTag(packages);
  let job = inFlight.get(tag);
  if (!job) {
    job = build(opts.docker, tag, packages, opts.onProgress, opts.force, torBrowser ?? undefined).finally(() => inFlight.delete(tag));
    inFlight.set(tag, job);
  }
  return job;
}

async function build(docker: Dockerode, tag: string, packages: string[], log: Progress = () => {}, force = false, torBrowser?: TorBrowserSource) {
  const base = await inspectImage(docker, BASE_TAG);
  if (!base) throw new Error(`${BASE_TAG} is missing: run ensureBaseImage first`);
  // The tarball is found (fetched once, on the build host) before anything is built.
  const tarball = torBrowser ? await resolveTorBrowser(torBrowser, { onProgress: log }) : undefined;
  // The tag only names the package set; the labels record which base (and
  // which Tor Browser) it was built on, so a new one makes the layer rebuild.
  const existing = await inspectImage(docker, tag);
  if (!force && existing?.labels[BASE_ID_LABEL] === base.id && (!tarball || existing.labels[TOR_BROWSER_LABEL] === tarball.sha256)) {
    log(`${tag} is up to date (built on the current base image)`);
    return { tag, built: false };
  }

  const dockerfile = appLayerDockerfile({ packages, baseId: base.id, torBrowserSha256: tarball?.sha256 });
  log(`building ${tag}: ${packages.join(' ')}${tarball ? ` (Tor Browser ${tarball.sha256.slice(0, 12)} from ${torBrowser!.source})` : ''}`);
  // Default bridge network: apt inside the build reaches Debian's archive.
  const stream = await docker.buildImage(await buildContext(dockerfile, tarball?.file), { t: tag, rm: true, forcerm: true, ...(force ? { nocache: true } : {}) });
  await followProgress(docker, stream, `docker build ${tag}`, log);
  // Drop a stale layer that the new build untagged (if nothing runs on it).
  if (existing) await docker.getImage(existing.id).remove().catch(() => {});
  // And the unpacking stage (a second copy of Tor Browser); Docker refuses while another build uses it.
  if (tarball) {
    const stages = await docker.listImages({ filters: { label: [`${STAGE_LABEL}=torbrowser`], dangling: ['true'] } });
    await Promise.all(stages.map((i) => docker.getImage(i.Id).remove().catch(() => {})));
  }
  return { tag, built: true };
}

/** The build context: the Dockerfile (a few hundred bytes, in memory) and the Tor Browser tarball, streamed from disk. */
async function buildContext(dockerfile: string, torBrowserFile?: string): Promise<NodeJS.ReadableStream> {
  const tar = pack();
  tar.entry({ name: 'Dockerfile' }, dockerfile);
  if (!torBrowserFile) {
    tar.finalize();
    return Readable.from([await buffer(tar)]);
  }
  const { size } = await stat(torBrowserFile);
  const entry = tar.entry({ name: 'torbrowser.tar.xz', size, mode: 0o644 }, (err) => (err ? tar.destroy(err) : tar.finalize()));
  createReadStream(torBrowserFile).on('error', (err) => tar.destroy(err)).pipe(entry);
  // tar-stream's streams are streamx ones: a Node stream for Docker's request.
  return Readable.from(tar, { objectMode: false });
}
