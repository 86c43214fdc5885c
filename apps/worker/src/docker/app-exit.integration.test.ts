import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type CatalogApp, type DisplayEndpoint, type EnvironmentSpec } from '@genos/core';
import { ensureBaseImage } from '../images/build-base-image';
import { INSTANCE_LABEL } from './container-config';
import { createDockerDriver } from './docker-driver';
import { execInContainer } from './exec-in-container';

// Closing the app does not destroy the desktop: Xvfb, openbox and x11vnc stay
// when the apps end, however they end, and the desktop's menu and launcher bar
// list the apps and a terminal to start them again. Real Docker, the real base
// image, a state dir and an instance of this file's own.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const instance = `t-appexit-${randomBytes(3).toString('hex')}`;
const labels = { [INSTANCE_LABEL]: instance, 'genos.test': 'true' };
const id = `appexit${Date.now().toString(36)}`;
let stateDir = '';
let driver: ReturnType<typeof createDockerDriver>;
let ref = '';

// Catalog apps of this test only, handed to the driver as provisioning hands it the database's rows (preinstalled: no app layer to build).
const app = (id: string, name: string, command: string): CatalogApp => ({
  id, name, command, aliases: [], generic: [], category: 'utility', packages: [], preinstalled: true,
  requires: { network: false, desktop: true, vm: false },
});
const apps = [
  // Ends at once, like a launcher that gives up.
  app('genos-test-quits', 'Quits At Once', 'true'),
  // Signals its own process group after a second, like a launcher script's clean-up trap ("kill 0"):
  // before each app had a session of its own, that group was the desktop's and it took Xvfb and x11vnc down.
  app('genos-test-kills-group', 'Kills & <Its> Group', 'bash -c sleep${IFS}1;kill${IFS}-TERM${IFS}0'),
];
const spec: EnvironmentSpec = {
  ...DEFAULT_SPEC,
  apps: [...apps.map((a) => a.id), 'xterm'],
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The RFB banner x11vnc sends on connect: the display socket still accepts viewers. */
function rfbBanner(endpoint: DisplayEndpoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = endpoint.host.startsWith('/') ? net.connect(endpoint.host) : net.connect(endpoint.port, endpoint.host);
    const timer = setTimeout(() => (sock.destroy(), reject(new Error('no RFB banner within 5 s'))), 5000);
    sock.once('data', (b) => (clearTimeout(timer), sock.destroy(), resolve(b.toString('latin1').trim())));
    sock.once('error', (e) => (clearTimeout(timer), reject(e)));
  });
}
/** pid and command line of every process in the desktop. */
async function processes(): Promise<{ pid: number; cmd: string }[]> {
  // Marked lines: Docker's stream frame headers can land anywhere in the output.
  const { output } = await execInContainer(docker, ref, ['bash', '-c', 'for p in /proc/[0-9]*; do c=$(tr "\\0" " " <"$p/cmdline" 2>/dev/null) && [ -n "$c" ] && echo "@pid=${p#/proc/}@ $c"; done']);
  return [...output.matchAll(/@pid=(\d+)@ (.*)$/gm)].map((m) => ({ pid: Number(m[1]), cmd: m[2]!.trim() }));
}
const running = async (prefix: string) => (await processes()).filter((p) => p.cmd.startsWith(prefix));
/** The image has no kill binary (no procps): bash's. */
const kill = (pid: number) => execInContainer(docker, ref, ['bash', '-c', `kill ${pid}`]);
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}
async function stillUp(): Promise<void> {
  expect((await driver.inspect(ref)).state).toBe('running');
  const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 5000 });
  expect(await rfbBanner(endpoint)).toMatch(/^RFB 003\.00\d$/);
}

beforeAll(async () => {
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), `genos-${instance}-`));
  driver = createDockerDriver({ docker, stateDir, labels });
  await ensureBaseImage({ docker });
  ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec, apps }));
  await driver.start(ref);
  await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
});

afterAll(async () => {
  await driver?.terminate({ environmentId: id, runtimeRef: ref || null }).catch(() => undefined);
  const left = await docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${instance}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
});

describe('a desktop whose apps exit', () => {
  it('stays running and viewable after an app ended at once and another signalled its own process group', async () => {
    // Both have long ended by now (the second after 1 s); the desktop's own processes are all there.
    await sleep(4000);
    expect(await running('true')).toEqual([]);
    expect(await running('bash -c sleep')).toEqual([]);
    await stillUp();
    for (const part of ['Xvfb', 'openbox', 'x11vnc', 'wbar']) expect((await running(part)).length, part).toBe(1);
  });

  it('stays when its last app is closed, and the menu starts it again', async () => {
    const [xterm] = await running('xterm');
    expect(xterm, 'xterm started with the desktop').toBeDefined();
    await kill(xterm!.pid);
    await until('xterm gone', async () => (await running('xterm')).length === 0);
    await sleep(2000);
    await stillUp();
    // What the menu's "XTerm" item runs (app 3 of the desktop); in the background, as openbox would.
    expect((await execInContainer(docker, ref, ['bash', '-c', 'genos-launch 3 >/dev/null 2>&1 &'])).exitCode).toBe(0);
    await until('xterm back', async () => (await running('xterm')).length === 1);
  });

  it('lists the apps and a terminal in its right-click menu and its launcher bar', async () => {
    const menu = (await execInContainer(docker, ref, ['cat', '/tmp/genos/openbox/menu.xml'])).output;
    expect(menu).toContain('<item label="Quits At Once"><action name="Execute"><command>genos-launch 1</command></action></item>');
    expect(menu).toContain('<item label="Kills &amp; &lt;Its&gt; Group"><action name="Execute"><command>genos-launch 2</command></action></item>');
    expect(menu).toContain('<item label="XTerm"><action name="Execute"><command>genos-launch 3</command></action></item>');
    expect(menu).toContain('<item label="Terminal"><action name="Execute"><command>genos-launch xterm</command></action></item>');
    // openbox reads that menu (its own rc.xml), with the top strip kept for the launcher bar.
    const rc = (await execInContainer(docker, ref, ['cat', '/tmp/genos/openbox/rc.xml'])).output;
    expect(rc).toContain('<file>/tmp/genos/openbox/menu.xml</file>');
    expect(rc).not.toContain('debian-menu.xml');
    expect((await running('openbox'))[0]?.cmd).toBe('openbox --config-file /tmp/genos/openbox/rc.xml');
    const bar = (await execInContainer(docker, ref, ['cat', '/tmp/genos/wbar.cfg'])).output;
    for (const [n, name] of [[1, 'Quits At Once'], [2, 'Kills & <Its> Group'], [3, 'XTerm']] as const) expect(bar).toContain(`c: genos-launch ${n}\nt: ${name}`);
    expect(bar).toContain('c: genos-launch xterm\nt: Terminal');
    // Every icon the bar draws exists.
    for (const icon of bar.matchAll(/^i: (.+)$/gm)) expect((await execInContainer(docker, ref, ['test', '-r', icon[1]!])).exitCode, icon[1]).toBe(0);
  });

  it('brings openbox back if it ends', async () => {
    const [before] = await running('openbox');
    await kill(before!.pid);
    const after = await until('a new openbox', async () => (await running('openbox')).find((p) => p.pid !== before!.pid));
    expect(after.cmd).toBe('openbox --config-file /tmp/genos/openbox/rc.xml');
    await stillUp();
  });

  it('still ends when its display server ends', async () => {
    const [xvfb] = await running('Xvfb');
    await kill(xvfb!.pid);
    await until('the container stopped', async () => (await driver.inspect(ref)).state === 'exited');
  });
});
