import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '@genos/core';
import { containerConfig, networkName } from './container-config';

const base = { environmentId: 'abc', image: 'genos/desktop-base:1', socketDir: '/var/lib/genos/x/displays/abc' };

describe('standard sandbox profile', () => {
  it('is unprivileged, capability-free, read-only and offline by default', () => {
    const c = containerConfig({ ...base, spec: DEFAULT_SPEC });
    expect(c.User).toBe('1000:1000');
    expect(c.HostConfig?.CapDrop).toEqual(['ALL']);
    expect(c.HostConfig?.CapAdd).toBeUndefined();
    expect(c.HostConfig?.Privileged).toBe(false);
    expect(c.HostConfig?.SecurityOpt).toEqual(['no-new-privileges']);
    expect(c.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(c.HostConfig?.NetworkMode).toBe('none');
    // The only host path is the environment's own display folder: no Docker socket, no host dirs.
    expect(c.HostConfig?.Binds).toEqual(['/var/lib/genos/x/displays/abc:/run/genos/display']);
    expect(c.HostConfig?.PidMode ?? '').toBe('');
  });

  it('takes its limits from the spec', () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, resources: { cpu: 2, memoryMiB: 2048, diskGiB: 4, gpu: 0 } } });
    expect(c.HostConfig?.Memory).toBe(2048 * 1024 * 1024);
    expect(c.HostConfig?.MemorySwap).toBe(c.HostConfig?.Memory);
    expect(c.HostConfig?.NanoCpus).toBe(2e9);
    expect(c.HostConfig?.PidsLimit).toBe(512);
  });

  it('joins a network of its own only when the spec asks for egress', () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, network: { mode: 'egress', allowHosts: [] } } });
    expect(c.HostConfig?.NetworkMode).toBe(networkName('abc'));
  });

  it('passes the display size and the apps to launch', () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, apps: ['xterm', 'firefox-esr'], display: { protocol: 'vnc', width: 1920, height: 1080 } } });
    expect(c.Env).toEqual(expect.arrayContaining(['GENOS_WIDTH=1920', 'GENOS_HEIGHT=1080', 'GENOS_APPS=xterm\nfirefox-esr']));
  });

  it("names the apps for the desktop's menu and launcher bar, line for line with their commands", () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, apps: ['firefox-esr', 'htop', 'not-in-catalog', 'torbrowser-launcher'] } });
    expect(c.Env).toEqual(expect.arrayContaining([
      'GENOS_APPS=firefox-esr\nxterm -e htop\nnot-in-catalog\ntorbrowser',
      'GENOS_APP_NAMES=Firefox ESR\nhtop\nnot-in-catalog\nTor Browser',
    ]));
  });
});
