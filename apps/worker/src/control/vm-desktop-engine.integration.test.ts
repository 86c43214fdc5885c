import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, parseKeys, tunnelSettingsFor, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
// The engine lives in the web app; its tests are here because they make real desktops with this package's drivers.
import { createDesktopEngine, type ControlTarget, type DesktopEngine } from '../../../web/src/server/control/engine/index';
import { createLibvirtDriver } from '../libvirt/libvirt-driver';
import { ensureVmBaseImage } from '../libvirt/vm-image';

// The same engine on a VM desktop (libvirt, QEMU's VNC socket through guacd): a program sees the
// screen, points and types exactly as on a container. The guest has no way to be asked from the host
// (no agent, no shell), so what happened inside is read from the screen: typed output and a cleared
// terminal change the pixels where the xterm is.
const hasKvm = existsSync('/dev/kvm');
const state = await freshTestState('ctl-vm');
const driver = createLibvirtDriver({ stateDir: state.stateDir, labels: state.labels });
const GUACD = { kind: 'tcp' as const, host: '127.0.0.1', port: 4822 };
const spec: EnvironmentSpec = {
  ...DEFAULT_SPEC,
  runtime: 'vm',
  apps: ['xterm'],
  display: { ...DEFAULT_SPEC.display, width: 1280, height: 800 },
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 1024, cpu: 1 },
};
const id = `ctlvm${Date.now().toString(36)}`;
let ref = '';
let engine: DesktopEngine | undefined;
let t: ControlTarget;

afterAll(async () => {
  engine?.closeAll();
  await driver.terminate({ environmentId: id, runtimeRef: ref || null }).catch(() => undefined);
  await state.remove();
}, 120_000);

/** Share of pixels that differ between two screenshots of the same size. */
function changedShare(a: Buffer, b: Buffer): number {
  const [pa, pb] = [PNG.sync.read(a), PNG.sync.read(b)];
  let changed = 0;
  for (let i = 0; i < pa.data.length; i += 4) if (pa.data[i] !== pb.data[i] || pa.data[i + 1] !== pb.data[i + 1] || pa.data[i + 2] !== pb.data[i + 2]) changed++;
  return changed / (pa.width * pa.height);
}

/** Distinct colours in a PNG (a booted desktop with a bar and an xterm has many; a black screen one). */
function colours(png: Buffer): number {
  const { data } = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < data.length && seen.size < 50; i += 4 * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return seen.size;
}

describe.skipIf(!hasKvm)('desktop engine on a VM desktop (libvirt)', () => {
  beforeAll(async () => {
    await ensureVmBaseImage({});
    ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
    await driver.start(ref);
    // QEMU's emulation on a loaded machine: a cold boot can take a minute.
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 180_000 });
    t = { environmentId: id, connection: tunnelSettingsFor(endpoint, { width: 1280, height: 800 }), width: 1280, height: 800 };
    engine = createDesktopEngine({ guacd: GUACD });
    // The desktop is drawn (bar and xterm), not the boot console.
    const deadline = Date.now() + 120_000;
    while (colours((await engine.screenshot(t, {})).png) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
  }, 420_000);

  it('screenshots the VM screen, a region and scaled', async () => {
    const full = await engine!.screenshot(t, {});
    expect([full.width, full.height]).toEqual([1280, 800]);
    expect(colours(full.png)).toBeGreaterThan(3);
    const part = await engine!.screenshot(t, { region: { x: 0, y: 0, width: 640, height: 400 }, scale: 0.5 });
    expect([part.width, part.height]).toEqual([320, 200]);
  });

  it('types into the xterm (its output appears) and sends key chords (ctrl+l clears it)', async () => {
    await engine!.mouse(t, { action: 'click', x: 200, y: 200, button: 'left' });
    await new Promise((r) => setTimeout(r, 500));
    const before = await engine!.screenshot(t, {});
    await engine!.keyboard(t, { text: 'seq 1 30\n' });
    expect((await engine!.waitForChange(t, { sinceVersion: before.version, timeoutMs: 20_000 })).changed).toBe(true);
    // Output drawn in several updates: wait for the screen to settle, then compare.
    let last = (await engine!.screenshot(t, {})).version;
    for (let i = 0; i < 20; i++) {
      const r = await engine!.waitForChange(t, { sinceVersion: last, timeoutMs: 700 });
      if (!r.changed) break;
      last = r.version;
    }
    const typed = await engine!.screenshot(t, {});
    // Thirty lines of output change far more than a blinking cursor (<0.01%).
    expect(changedShare(before.png, typed.png)).toBeGreaterThan(0.002);

    await engine!.keyboard(t, { keysyms: parseKeys('ctrl+l') });
    expect((await engine!.waitForChange(t, { sinceVersion: typed.version, timeoutMs: 20_000 })).changed).toBe(true);
  });

  it('moves the pointer and reports it as the cursor', async () => {
    expect(await engine!.mouse(t, { action: 'move', x: 640, y: 400 })).toEqual({ x: 640, y: 400 });
    expect(await engine!.cursor(t)).toEqual({ x: 640, y: 400 });
  });
});
