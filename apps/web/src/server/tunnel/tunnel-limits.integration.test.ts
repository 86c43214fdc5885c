import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
// The test needs a real desktop to type into; the web app itself never talks to Docker.
// eslint-disable-next-line no-restricted-imports -- test harness only
import Dockerode from 'dockerode';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { ensurePassablePath } from '@genos/db/state-dir';
import { createTestDatabase, freshTestState, type TestDatabase } from '@genos/db/testing';
import { createCaller } from '../api/root';
import { createInnerContext } from '../api/trpc';
import { attachTunnel } from './attach-tunnel';
import { GUAC_STATUS } from './tunnel-limits';

// The tunnel's limits end to end: real PostgreSQL, Docker, guacd and a real desktop, websocket
// clients speaking Guacamole. Whatever one connection does wrong ends that connection only: the
// desktop and its other viewers carry on.
const KEY = 'l'.repeat(32);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const CONTAINER = `genos-limitstest-${process.pid}`;
const state = await freshTestState('tunnel-limits');
const LIMITS = { instructionsPerSecond: 300, instructionBurst: 600, maxConnectionsPerShareLink: 2 };
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let base = '';
let owner: { id: string; email: string };
let envId = '';
const logs: string[] = [];

const callerFor = (user: { id: string; email: string } | null) =>
  createCaller(
    createInnerContext({
      user: user ? { ...user, name: null, role: 'user' } : null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: createPrismaStore({ prisma: db.prisma, enqueue: async () => null }),
      tunnelKey: KEY,
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  );

const fileExists = async (p: string) => {
  const exec = await docker.getContainer(CONTAINER).exec({ Cmd: ['test', '-e', p], AttachStdout: true, AttachStderr: true, User: '1000' });
  const stream = await exec.start({});
  stream.resume();
  await new Promise((r) => stream.on('end', r));
  return (await exec.inspect()).ExitCode === 0;
};
const execOut = async (cmd: string[]) => {
  const exec = await docker.getContainer(CONTAINER).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: '1000' });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => stream.on('end', r));
  return Buffer.concat(chunks).toString('latin1');
};

const enc = (...els: string[]) => els.map((e) => `${e.length}.${e}`).join(',') + ';';

/** A minimal Guacamole client: acknowledges frames, counts drawing, keeps the tunnel's `error`. */
function guacClient(token: string) {
  const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token)}`);
  let draws = 0;
  let ready = false;
  let closedAt = 0;
  let closedReason = '';
  let error = '';
  ws.on('message', (data: WebSocket.RawData) => {
    const text = data.toString();
    if (text.startsWith('0.,') || text.includes('4.size,')) ready = true;
    draws += (text.match(/\d+\.(img|png|jpeg|blob|copy|rect|cfill),/g) ?? []).length;
    const err = /5\.error,\d+\.([^,]*),\d+\.(\d+);/.exec(text);
    if (err) error = `${err[2]} ${err[1]}`;
    for (const m of text.matchAll(/4\.sync,(\d+)\.(\d+)[;,]/g)) if (ws.readyState === WebSocket.OPEN) ws.send(enc('sync', m[2]!));
  });
  ws.on('close', (_code, reason) => {
    closedAt = Date.now();
    closedReason = reason.toString();
  });
  ws.on('error', () => undefined);
  const send = (s: string) => ws.readyState === WebSocket.OPEN && ws.send(s);
  const key = (keysym: number) => send(enc('key', String(keysym), '1') + enc('key', String(keysym), '0'));
  return {
    ws,
    get draws() {
      return draws;
    },
    get closedAt() {
      return closedAt;
    },
    get closedReason() {
      return closedReason;
    },
    /** `<status> <message>` of the tunnel's Guacamole error, if one came. */
    get error() {
      return error;
    },
    waitReady: async () => {
      const end = Date.now() + 20_000;
      while (!ready || draws === 0) {
        if (Date.now() > end || ws.readyState > 1) throw new Error(`the display did not become ready: ${ws.readyState} ${closedReason}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    click: (x: number, y: number) => send(enc('mouse', String(x), String(y), '1') + enc('mouse', String(x), String(y), '0')),
    type: (text: string) => {
      for (const ch of text) key(ch === '\n' ? 0xff0d : ch.charCodeAt(0));
    },
    send,
    close: () => ws.close(),
  };
}

/** The HTTP answer to an upgrade: 101, or the refusal's status and body. */
const upgrade = (tok: string) =>
  new Promise<{ status: number; body: string; ws?: WebSocket }>((resolve) => {
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(tok)}`);
    ws.on('upgrade', () => resolve({ status: 101, body: '', ws }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => undefined);
  });

const until = async (ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};

const ownerToken = async () => (await callerFor(owner).environments.connectionToken({ id: envId })).token;
const viewToken = async (secret: string) => (await callerFor(null).environments.share.connectionToken({ secret })).token;

/** The owner types a command into the xterm; true once it ran. */
async function ownerRuns(c: ReturnType<typeof guacClient>, file: string) {
  c.click(120, 120);
  await new Promise((r) => setTimeout(r, 700));
  c.type(`touch ${file}\n`);
  return until(() => fileExists(file), 15_000);
}

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await db.prisma.user.create({ data: { email: 'limits-owner@genos.test' } });

  // A real desktop: the base image, x11vnc on a unix socket, no network. guacd (its own user, in a
  // network namespace of its own) opens the socket itself: its folder and the socket get guacd's group.
  const guacdGid = Number(execFileSync('id', ['-g', 'genos-guacd'], { encoding: 'utf8' }).trim());
  const socketDir = await ensurePassablePath(state.stateDir, 'limits-display');
  await fs.chown(socketDir, 1000, guacdGid);
  await fs.chmod(socketDir, 0o710);
  const c = await docker.createContainer({
    name: CONTAINER,
    Image: 'genos/desktop-base:1',
    User: '1000:1000',
    Env: ['GENOS_APPS=xterm', 'GENOS_VNC_PASSWORD=limitspw'],
    Labels: state.labels,
    HostConfig: { Binds: [`${socketDir}:/run/genos/display`], NetworkMode: 'none', CapDrop: ['ALL'], Tmpfs: { '/tmp': 'rw', '/home/genos': 'rw,uid=1000,gid=1000' }, ReadonlyRootfs: true },
  });
  await c.start();
  const sock = path.join(socketDir, 'vnc.sock');
  if (!(await until(() => fs.stat(sock).then(() => true, () => false), 30_000))) throw new Error('no vnc.sock');
  // Mapped, not only created: xterm makes its window well before openbox shows it, and keys sent meanwhile go nowhere.
  if (!(await until(async () => (await execOut(['sh', '-c', 'DISPLAY=:0 xwininfo -name xterm 2>/dev/null'])).includes('IsViewable'), 30_000))) throw new Error('no xterm window');
  await fs.chown(sock, 1000, guacdGid);
  await fs.chmod(sock, 0o770);
  envId = (
    await db.prisma.environment.create({
      data: { name: 'limited desk', spec: DEFAULT_SPEC as never, ownerId: owner.id, state: 'running', displayEndpoint: { protocol: 'vnc', host: sock, port: 0, password: 'limitspw' } },
    })
  ).id;

  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 }, log: (m) => logs.push(m), limits: LIMITS });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  try {
    tunnel?.close();
    server?.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('tunnel limits against a real desktop', () => {
  it('cuts a live share-link viewer off within a second of the revoke; the owner carries on', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const viewer = guacClient(await viewToken(link.secret));
    const ownerClient = guacClient(await ownerToken());
    await Promise.all([viewer.waitReady(), ownerClient.waitReady()]);

    const revokedAt = Date.now();
    await callerFor(owner).environments.share.revoke({ shareId: link.id });
    expect(await until(() => viewer.ws.readyState === WebSocket.CLOSED, 1000)).toBe(true);
    expect(viewer.closedAt - revokedAt).toBeLessThan(1000);
    expect(viewer.error).toBe(`${GUAC_STATUS.CLIENT_FORBIDDEN} This share link was revoked by the desktop owner.`);
    expect(viewer.closedReason).toMatch(/revoked/);

    // The owner's connection to the same desktop is untouched: it draws and types.
    const before = ownerClient.draws;
    expect(await ownerRuns(ownerClient, '/tmp/after-revoke')).toBe(true);
    expect(ownerClient.draws).toBeGreaterThan(before);
    expect(ownerClient.ws.readyState).toBe(WebSocket.OPEN);
    ownerClient.close();
  });

  it("ends a viewer when its link expires, at the link's expiry", async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const token = await viewToken(link.secret);
    const expiresAt = Date.now() + 4000;
    await db.prisma.shareLink.update({ where: { id: link.id }, data: { expiresAt: new Date(expiresAt) } });
    const viewer = guacClient(token);
    await viewer.waitReady();
    expect(await until(() => viewer.ws.readyState === WebSocket.CLOSED, 8000)).toBe(true);
    expect(viewer.closedAt).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(viewer.closedAt - expiresAt).toBeLessThan(1000);
    expect(viewer.error).toMatch(/has expired/);
  });

  it('closes only the connection that floods instructions; another viewer and the desktop carry on', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const viewer = guacClient(await viewToken(link.secret));
    const flooder = guacClient(await ownerToken());
    await Promise.all([viewer.waitReady(), flooder.waitReady()]);

    // Mouse moves far above 300 per second (burst 600), one instruction per message like a browser.
    for (let i = 0; i < 2000 && flooder.ws.readyState === WebSocket.OPEN; i++) flooder.send(enc('mouse', String(100 + (i % 50)), '100', '0'));
    expect(await until(() => flooder.ws.readyState === WebSocket.CLOSED, 3000)).toBe(true);
    expect(flooder.error).toMatch(new RegExp(`^${GUAC_STATUS.CLIENT_TOO_MANY} .*too many instructions`));
    expect(logs.some((l) => /closing owner connection to .*more than 300 instructions per second/.test(l))).toBe(true);

    // The viewer still watches, and the owner, on a fresh connection, still works the desktop.
    expect(viewer.ws.readyState).toBe(WebSocket.OPEN);
    const again = guacClient(await ownerToken());
    await again.waitReady();
    const before = viewer.draws;
    expect(await ownerRuns(again, '/tmp/after-flood')).toBe(true);
    expect(await until(() => viewer.draws > before, 5000)).toBe(true);
    again.close();
    viewer.close();
  });

  it('refuses a connection over the share link cap, and admits one again once a slot is free', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const first = await upgrade(await viewToken(link.secret));
    const second = await upgrade(await viewToken(link.secret));
    expect([first.status, second.status]).toEqual([101, 101]);
    const third = await upgrade(await viewToken(link.secret));
    expect(third).toMatchObject({ status: 429, body: expect.stringMatching(/already has 2 open connections/) });
    // The owner is not held to the link's cap.
    const own = await upgrade(await ownerToken());
    expect(own.status).toBe(101);

    first.ws!.close();
    const later = await until(async () => {
      const r = await upgrade(await viewToken(link.secret));
      r.ws?.terminate();
      return r.status === 101;
    }, 5000);
    expect(later).toBe(true);
    second.ws!.terminate();
    own.ws!.terminate();
  });
});
