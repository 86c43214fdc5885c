import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOR_BROWSER_PACKAGE } from '@genos/core';
import { appLayerDockerfile, checkTorBrowserSource, ensureAppLayer, resolveTorBrowser, TOR_BROWSER_DEPENDS, torBrowserSourceFromEnv } from './build-app-layer';

const SHA = 'a'.repeat(64);
/** A Docker client that fails the test if anything touches it. */
const noDocker = new Proxy({}, { get: () => { throw new Error('Docker was called'); } }) as unknown as Dockerode;

describe('app layer Dockerfile', () => {
  it('installs Debian packages from main and contrib on the base image, labelled with the set and the base', () => {
    const d = appLayerDockerfile({ packages: ['vlc', 'gimp', 'vlc'], baseId: 'sha256:base' });
    expect(d).toMatch(/^FROM genos\/desktop-base:1\nUSER root\n/);
    expect(d).toContain('apt-get install -y --no-install-recommends gimp vlc \\');
    expect(d).toContain('main contrib');
    expect(d).toContain('LABEL genos.managed=true genos.packages="gimp vlc" genos.base-id=sha256:base');
    expect(d).not.toContain('torbrowser');
    expect(d.trimEnd().endsWith('USER 1000:1000')).toBe(true);
  });

  it('unpacks Tor Browser in a stage of its own and copies only the result, never asking apt for the marker', () => {
    const d = appLayerDockerfile({ packages: [TOR_BROWSER_PACKAGE, 'onionshare'], baseId: 'sha256:base', torBrowserSha256: SHA });
    const [stage, final] = d.split(/\n(?=FROM genos\/desktop-base:1\n)/);
    expect(stage).toMatch(/^FROM genos\/desktop-base:1 AS torbrowser\n/);
    expect(stage).toContain('COPY torbrowser.tar.xz /tmp/torbrowser.tar.xz');
    expect(stage).toContain('tar -xJf /tmp/torbrowser.tar.xz -C /tmp/tb --no-same-owner');
    expect(stage).toContain('[ -x "$1/Browser/start-tor-browser" ]');
    expect(stage).toContain(`echo ${SHA} > /opt/torbrowser/.genos-build`);
    expect(stage).toContain('LABEL genos.stage=torbrowser');
    // The final image: Debian's packages plus Tor Browser's libraries, the unpacked folder, no tarball.
    expect(final).toContain(`install -y --no-install-recommends ${[...TOR_BROWSER_DEPENDS, 'onionshare'].sort().join(' ')} \\`);
    expect(final).not.toMatch(/install[^\n]*genos-torbrowser/);
    expect(final).toContain('COPY --from=torbrowser /opt/torbrowser /opt/torbrowser');
    expect(final).not.toContain('torbrowser.tar.xz');
    expect(final).toContain(`genos.packages="genos-torbrowser onionshare" genos.base-id=sha256:base genos.torbrowser-sha256=${SHA}`);
    expect(() => appLayerDockerfile({ packages: [TOR_BROWSER_PACKAGE], baseId: 'x' })).toThrow(/sha256/);
  });
});

describe('Tor Browser source (GENOS_TOR_BROWSER_SOURCE)', () => {
  let dir = '';
  let tarball = '';
  let sha = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-tb-test-'));
    tarball = path.join(dir, 'tor-browser-linux-x86_64-0.0.tar.xz');
    await fs.writeFile(tarball, 'not really a tarball');
    sha = createHash('sha256').update('not really a tarball').digest('hex');
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is read from the environment; unset means none', () => {
    expect(torBrowserSourceFromEnv({})).toBeUndefined();
    expect(torBrowserSourceFromEnv({ GENOS_TOR_BROWSER_SOURCE: ' ' })).toBeUndefined();
    expect(torBrowserSourceFromEnv({ GENOS_TOR_BROWSER_SOURCE: '/srv/tb.tar.xz', GENOS_TOR_BROWSER_SHA256: SHA.toUpperCase() })).toEqual({ source: '/srv/tb.tar.xz', sha256: SHA });
  });

  it('accepts an absolute path, or an https URL pinned by its sha256, and nothing else', () => {
    expect(() => checkTorBrowserSource({ source: '/srv/tb.tar.xz' })).not.toThrow();
    expect(() => checkTorBrowserSource({ source: 'https://example.org/tb.tar.xz', sha256: SHA })).not.toThrow();
    expect(() => checkTorBrowserSource({ source: 'https://example.org/tb.tar.xz' })).toThrow(/SHA256 is required/);
    expect(() => checkTorBrowserSource({ source: 'http://example.org/tb.tar.xz', sha256: SHA })).toThrow(/https/);
    expect(() => checkTorBrowserSource({ source: 'tb.tar.xz' })).toThrow(/absolute path/);
    expect(() => checkTorBrowserSource({ source: '/srv/tb.tar.xz', sha256: 'abc' })).toThrow(/64 hex/);
  });

  it('uses a local tarball where it is, checked against the configured sha256', async () => {
    expect(await resolveTorBrowser({ source: tarball })).toEqual({ file: tarball, sha256: sha });
    expect(await resolveTorBrowser({ source: tarball, sha256: sha })).toEqual({ file: tarball, sha256: sha });
    await expect(resolveTorBrowser({ source: tarball, sha256: SHA })).rejects.toThrow(/not the configured/);
    await expect(resolveTorBrowser({ source: path.join(dir, 'missing.tar.xz') })).rejects.toThrow(/not a file/);
  });

  it('uses a URL source already in the build cache without fetching it', async () => {
    const cached = path.join(dir, `${sha}.tar.xz`);
    await fs.copyFile(tarball, cached);
    // An address that cannot resolve: any fetch would fail the test.
    expect(await resolveTorBrowser({ source: 'https://tor-browser.invalid/tb.tar.xz', sha256: sha }, { cacheDir: dir })).toEqual({ file: cached, sha256: sha });
  });

  it('refuses a Tor Browser layer before touching Docker when no source is configured', async () => {
    await expect(ensureAppLayer({ docker: noDocker, packages: [TOR_BROWSER_PACKAGE], torBrowser: null })).rejects.toThrow(
      /Tor Browser cannot be installed on this deployment: no Tor Browser source is configured \(GENOS_TOR_BROWSER_SOURCE\)/,
    );
    await expect(ensureAppLayer({ docker: noDocker, packages: [TOR_BROWSER_PACKAGE], torBrowser: { source: 'ftp://x/tb.tar.xz' } })).rejects.toThrow(/https/);
  });
});
