// The RuntimeDriver contract, shared by every runtime: each driver's
// integration test calls runDriverContract with a small harness that knows how
// to look inside its own sandboxes. Runs against the real engine and guacd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpec, RuntimeDriver } from '@genos/core';
import { probeGuacd } from '../display/guacd-probe';

export const GUACD = { host: '127.0.0.1', port: 4822 };

export interface DriverContractHarness {
  name: string;
  driver: RuntimeDriver;
  /** A small desktop with xterm, network none. */
  spec: EnvironmentSpec;
  /** Unique per test run (the suite appends "net" for the egress case). */
  environmentId: string;
  setup?(): Promise<void>;
  displayTimeoutMs: number;
  /** Runtime-specific checks of the standard sandbox profile right after create. */
  checkProfile(runtimeRef: string, environmentId: string): Promise<void>;
  /** Network interfaces other than loopback that the sandbox has. */
  networkInterfaces(runtimeRef: string): Promise<string[]>;
  /**
   * Something only this running desktop holds (a file it wrote, its boot id):
   * the same before suspend and after resume proves resume returned the same
   * desktop, not a fresh one.
   */
  identity(runtimeRef: string, environmentId: string): Promise<string>;
  /** Whether the sandbox's own network (egress) exists. */
  ownNetworkExists(environmentId: string): Promise<boolean>;
  /** Host objects the driver made for this environment that still exist (paths, networks…). */
  leftovers(environmentId: string): Promise<string[]>;
}

export function runDriverContract(h: DriverContractHarness): void {
  const { driver } = h;
  const id = h.environmentId;
  const netId = `${id}net`;

  beforeAll(async () => {
    await h.setup?.();
  });

  afterAll(async () => {
    await driver.terminate({ environmentId: id, runtimeRef: null });
    await driver.terminate({ environmentId: netId, runtimeRef: null });
  });

  describe(`${h.name} driver contract`, () => {
    let ref = '';
    // Later cases need the sandbox from the first: fail them plainly when it was never made.
    const needRef = () => {
      if (!ref) throw new Error('no sandbox: "creates a sandbox" failed');
    };

    it('creates a sandbox with the standard profile', async () => {
      ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec: h.spec }));
      await h.checkProfile(ref, id);
      expect((await driver.inspect(ref)).state).toBe('created');
      expect(await driver.list()).toContainEqual({ environmentId: id, runtimeRef: ref, state: 'created' });
    });

    it('starts and exposes a display that guacd streams', async () => {
      needRef();
      await driver.start(ref);
      const endpoint = await driver.displayEndpoint(ref, { timeoutMs: h.displayTimeoutMs });
      // Either the desktop's own socket, which guacd on this host opens, or a loopback bridge to it.
      expect(endpoint.protocol).toBe('vnc');
      expect(endpoint.host.startsWith('/') ? endpoint.host : `${endpoint.host}:${endpoint.port}`).toMatch(/^\/.*vnc\.sock$|^127\.0\.0\.1:[1-9]\d*$/);
      const probe = await probeGuacd({ guacd: GUACD, display: endpoint });
      expect(probe.firstImgMs).toBeGreaterThan(0);
      // A loopback bridge is reachable by any local process: without the password, no picture.
      expect(endpoint.password).toMatch(/^[\w-]{8}$/);
      await expect(probeGuacd({ guacd: GUACD, display: { ...endpoint, password: 'wrong123' }, timeoutMs: 5000 })).rejects.toThrow();
      expect((await driver.inspect(ref)).state).toBe('running');
      await driver.start(ref); // a redelivered start job is harmless
      expect((await driver.inspect(ref)).state).toBe('running');
    });

    it('has no network at all unless asked', async () => {
      needRef();
      expect(await h.networkInterfaces(ref)).toEqual([]);
    });

    it('suspends and resumes the same desktop', async () => {
      needRef();
      const before = await h.identity(ref, id);
      expect(before).toBeTruthy();
      await driver.suspend(ref);
      expect((await driver.inspect(ref)).state).toBe('paused');
      expect((await driver.list()).find((s) => s.environmentId === id)?.state).toBe('paused');
      await driver.resume(ref);
      expect((await driver.inspect(ref)).state).toBe('running');
      const endpoint = await driver.displayEndpoint(ref, { timeoutMs: h.displayTimeoutMs });
      expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
      expect(await h.identity(ref, id)).toBe(before);
    });

    it('terminates and removes everything it created, idempotently', async () => {
      needRef();
      await driver.terminate({ environmentId: id, runtimeRef: ref });
      expect(await driver.inspect(ref)).toMatchObject({ exists: false, state: 'missing' });
      expect(await h.leftovers(id)).toEqual([]);
      expect((await driver.list()).map((s) => s.environmentId)).not.toContain(id);
      await driver.terminate({ environmentId: id, runtimeRef: ref });
    });

    it('gives an egress environment its own network and removes it on terminate', async () => {
      const { runtimeRef } = await driver.create({ environmentId: netId, spec: { ...h.spec, network: { mode: 'egress', allowHosts: [] } } });
      expect(await h.ownNetworkExists(netId)).toBe(true);
      expect((await h.networkInterfaces(runtimeRef)).length).toBeGreaterThan(0);
      await driver.terminate({ environmentId: netId, runtimeRef });
      expect(await h.ownNetworkExists(netId)).toBe(false);
      expect(await h.leftovers(netId)).toEqual([]);
    });
  });
}
