import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, DEFAULT_SPEC, type AgentTarget, type DesktopWindow, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
// The agent client lives in the web app (apps/web/src/server/control/agent); its test against a
// real desktop is here because it makes one with this package's Docker driver, which the web may not import.
import { askAgent, createDesktopAgent } from '../../../web/src/server/control/agent/agent-client';
import { createDockerDriver } from '../docker/docker-driver';
import { execInContainer } from '../docker/exec-in-container';
import { guacdFolderFor } from '../display/pinned-sockets';
import { ensureBaseImage } from '../images/build-base-image';

// The desktop agent (docker/desktop-base/genos-agent) in a real container desktop, through the
// socket the driver pins and the web's client: windows, focus and close, each checked from inside
// the desktop with xprop and xwininfo (what X itself says), and what a hostile request gets.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('ctl-agent');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const agent = createDesktopAgent();
const spec = (protocol: 'vnc' | 'rdp'): EnvironmentSpec => ({
  ...DEFAULT_SPEC,
  apps: ['xterm'],
  display: { ...DEFAULT_SPEC.display, width: 1280, height: 800, protocol },
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 1 },
});
const made: { id: string; ref: string }[] = [];
let ref = '';
let t: AgentTarget;

/** A command on the desktop's X display, as its user; its output. */
const x = async (cmd: string[]) => (await execInContainer(docker, ref, ['env', 'DISPLAY=:0', ...cmd])).output;

async function until(ok: () => boolean | Promise<boolean>, ms: number, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return ok();
}

/** The window X says has focus (xprop's "window id # 0x1a00002"). */
const activeWindow = async () => /(0x[0-9a-f]+)/.exec(await x(['xprop', '-root', '_NET_ACTIVE_WINDOW']))?.[1] ?? null;

/** xwininfo's view of one window: where its contents are and how big. */
async function xwininfo(id: string) {
  const out = await x(['xwininfo', '-id', id]);
  const n = (label: string) => Number(new RegExp(`${label}:\\s+(-?\\d+)`).exec(out)?.[1]);
  return { x: n('Absolute upper-left X'), y: n('Absolute upper-left Y'), width: n('Width'), height: n('Height') };
}

const byTitle = (ws: DesktopWindow[], title: string) => ws.find((w) => w.title === title);

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  const started = Date.now();
  const base = await ensureBaseImage({ docker });
  // Reported so a rebuild's cost (the agent is part of the image's context) is visible in the log.
  console.log(`base image ${base.built ? 'rebuilt' : 'up to date'} in ${Date.now() - started} ms`);
  ({ ref, target: t } = await makeDesktop('vnc'));
  // Listed once the window manager manages it: xterm creates its window seconds before it maps it.
  await until(async () => byTitle(await agent.windows(t), 'xterm') !== undefined, 60_000, 250);
}, 600_000);

/** A started desktop and its agent, whose socket the driver put in the endpoint. */
async function makeDesktop(protocol: 'vnc' | 'rdp'): Promise<{ ref: string; target: AgentTarget }> {
  const id = `ctlagent${protocol}${Date.now().toString(36)}`;
  const { runtimeRef } = await driver.create({ environmentId: id, spec: spec(protocol) });
  made.push({ id, ref: runtimeRef });
  await driver.start(runtimeRef);
  const endpoint = await driver.displayEndpoint(runtimeRef, { timeoutMs: 30_000 });
  expect(endpoint.protocol).toBe(protocol);
  expect(endpoint.agentSocket).toBe(path.join(guacdFolderFor(state.stateDir, id), 'agent.sock'));
  return { ref: runtimeRef, target: { environmentId: id, socket: endpoint.agentSocket! } };
}

afterAll(async () => {
  for (const { id, ref: r } of made) await driver.terminate({ environmentId: id, runtimeRef: r }).catch(() => undefined);
  await state.remove();
}, 120_000);

describe('the desktop agent in a container desktop', () => {
  it("pins its socket beside the display's, for root only: not opened to guacd's group", async () => {
    const st = await fs.lstat(t.socket);
    expect(st.isSocket()).toBe(true);
    // The desktop's own owner and group (not guacd's), and no write bit for others: only root connects.
    expect({ uid: st.uid, gid: st.gid, writable: st.mode & 0o022 }).toEqual({ uid: 1000, gid: 1000, writable: 0 });
  });

  it('lists the xterm with its title, where X has it, and its focus', async () => {
    const started = Date.now();
    const windows = await agent.windows(t);
    console.log(`windows answered in ${Date.now() - started} ms`);
    const xterm = byTitle(windows, 'xterm');
    expect(xterm, JSON.stringify(windows)).toBeDefined();
    expect(xterm!.id).toMatch(/^0x[0-9a-f]+$/);
    expect({ x: xterm!.x, y: xterm!.y, width: xterm!.width, height: xterm!.height }).toEqual(await xwininfo(xterm!.id));
    expect(xterm!.focused).toBe((await activeWindow()) === xterm!.id);
    // The launcher bar is not a window a program would focus or close.
    expect(windows.every((w) => w.width > 0 && w.height > 0)).toBe(true);
    expect(windows.filter((w) => w.focused).length).toBeLessThanOrEqual(1);
  });

  it('focuses a second window and back, as X sees it, then closes it', async () => {
    // No shell inside: nothing may retitle it. xterm can take seconds to map on a busy machine.
    await execInContainer(docker, ref, ['sh', '-c', 'DISPLAY=:0 setsid xterm -title second -e sleep 600 </dev/null >/dev/null 2>&1 &']);
    expect(await until(async () => byTitle(await agent.windows(t), 'second') !== undefined, 30_000)).toBe(true);
    const listed = await agent.windows(t);
    const first = byTitle(listed, 'xterm')!;
    const second = byTitle(listed, 'second')!;
    expect(second.id).not.toBe(first.id);

    expect(await agent.focusWindow(t, first.id)).toEqual({ focused: true });
    expect(await activeWindow()).toBe(first.id);
    expect(byTitle(await agent.windows(t), 'xterm')!.focused).toBe(true);
    expect(await agent.focusWindow(t, second.id)).toEqual({ focused: true });
    expect(await activeWindow()).toBe(second.id);
    expect(byTitle(await agent.windows(t), 'second')!.focused).toBe(true);

    expect(await agent.closeWindow(t, second.id)).toEqual({ closed: true });
    expect(byTitle(await agent.windows(t), 'second')).toBeUndefined();
    expect(await x(['xwininfo', '-root', '-tree'])).not.toContain('"second"');
    // The id of a closed window, and one that never was a window of this desktop: NOT_FOUND.
    expect(await failure(agent.focusWindow(t, second.id))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(second.id) });
    expect(await failure(agent.closeWindow(t, '0x1'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses the root window and requests that are not its protocol, and keeps serving', async () => {
    const root = /Window id: (0x[0-9a-f]+)/.exec(await x(['xwininfo', '-root']))?.[1];
    expect(root).toBeDefined();
    expect(await failure(agent.closeWindow(t, root!))).toMatchObject({ code: 'NOT_FOUND' });
    for (const request of ['bogus', 'windows please', 'focus $(touch /tmp/pwned)', 'close 0x1;id', `focus ${'9'.repeat(200)}`, 'focus 0x1 0x2']) {
      expect(JSON.parse(await askAgent(t.socket, request))).toMatchObject({ code: 'bad_request' });
    }
    expect((await execInContainer(docker, ref, ['test', '-e', '/tmp/pwned'])).exitCode).not.toBe(0);
    // Not ASCII, and a line far past the 128 bytes it reads.
    expect(JSON.parse(await askAgent(t.socket, 'focus \u00e9'))).toMatchObject({ code: 'bad_request' });
    expect(JSON.parse(await askAgent(t.socket, 'x'.repeat(4000)))).toMatchObject({ code: 'bad_request' });
    expect(byTitle(await agent.windows(t), 'xterm')).toBeDefined();
  });
});

describe('the desktop agent in an RDP desktop', () => {
  it('is there too: the endpoint carries its socket and it lists the xterm', async () => {
    const rdp = await makeDesktop('rdp');
    expect(await until(async () => byTitle(await agent.windows(rdp.target), 'xterm') !== undefined, 60_000, 250)).toBe(true);
  }, 180_000);
});
