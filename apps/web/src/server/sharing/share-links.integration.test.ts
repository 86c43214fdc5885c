import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
// The test needs a real desktop to type into; the web app itself never talks to Docker.
// eslint-disable-next-line no-restricted-imports -- test harness only
import Dockerode from 'dockerode';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { keyServiceFor } from '@genos/db/keys';
import { createTestDatabase, freshTestState, listenForGuacd, type GuacdSocket, type TestDatabase } from '@genos/db/testing';
import { createCaller } from '../api/root';
import { createInnerContext } from '../api/trpc';
import { prepareRecordingsDir, SEALED_SUFFIX, sweepRecordings } from '../recordings/recordings';
import { handleRecordingStream } from '../recordings/routes';
import { attachTunnel } from '../tunnel/attach-tunnel';

// Share links end to end against the real PostgreSQL, Docker and guacd: a
// desktop container, the tunnel, and a websocket client speaking Guacamole.
const KEY = 's'.repeat(32);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const CONTAINER = `genos-sharetest-${process.pid}`;
// A state dir (recordings, the desktop's socket folder) and an instance label of this run's own.
const state = await freshTestState('share-links');
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let bridge: GuacdSocket;
let socketDir = '';
let base = '';
let owner: { id: string; email: string };
let stranger: { id: string; email: string };
let envId = '';
let teamId = '';
const madeRecordings: string[] = [];
let keys: ReturnType<typeof keyServiceFor>['keys'];

/** Files under `dir` whose bytes match `re` (sockets and other non-files skipped). */
async function grepTree(dir: string, re: RegExp): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(e.parentPath, e.name);
    if (e.isFile() && re.test((await fs.readFile(file).catch(() => Buffer.alloc(0))).toString('latin1'))) hits.push(file);
  }
  return hits;
}

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

const execIn = async (cmd: string[]) => {
  const exec = await docker.getContainer(CONTAINER).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: '1000' });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => stream.on('end', r));
  return (await exec.inspect()).ExitCode ?? -1;
};
const execOut = async (cmd: string[]) => {
  const exec = await docker.getContainer(CONTAINER).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: '1000' });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => stream.on('end', r));
  return Buffer.concat(chunks).toString('latin1');
};
const fileExists = async (p: string) => (await execIn(['test', '-e', p])) === 0;

/** A minimal Guacamole client: acknowledges frames and counts drawing. */
function guacClient(token: string) {
  const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token)}`);
  let draws = 0;
  let ready = false;
  let closedReason = '';
  let seen = '';
  ws.on('message', (data: WebSocket.RawData) => {
    const text = data.toString();
    if (seen.length < 300) seen += text.slice(0, 300);
    // guacamole-lite keeps guacd's `ready` to itself; the tunnel's own id instruction says the same.
    if (text.startsWith('0.,') || text.includes('4.size,')) ready = true;
    draws += (text.match(/\d+\.(img|png|jpeg|blob|copy|rect|cfill),/g) ?? []).length;
    for (const m of text.matchAll(/4\.sync,(\d+)\.(\d+)[;,]/g)) ws.send(`4.sync,${m[2]!.length}.${m[2]};`);
  });
  ws.on('close', (_code, reason) => (closedReason = reason.toString()));
  ws.on('error', () => undefined);
  const enc = (...els: string[]) => els.map((e) => `${e.length}.${e}`).join(',') + ';';
  const key = (keysym: number) => {
    ws.send(enc('key', String(keysym), '1'));
    ws.send(enc('key', String(keysym), '0'));
  };
  return {
    ws,
    get draws() {
      return draws;
    },
    get closedReason() {
      return closedReason;
    },
    waitReady: async () => {
      const end = Date.now() + 20_000;
      while (!ready || draws === 0) {
        if (Date.now() > end || ws.readyState > 1) throw new Error(`the display did not become ready: ${ws.readyState} ${closedReason} ${seen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    click: (x: number, y: number) => {
      ws.send(enc('mouse', String(x), String(y), '1'));
      ws.send(enc('mouse', String(x), String(y), '0'));
    },
    type: (text: string) => {
      for (const ch of text) key(ch === '\n' ? 0xff0d : ch.charCodeAt(0));
    },
    clipboard: () => ws.send(enc('clipboard', '0', 'text/plain') + enc('blob', '0', Buffer.from('touch /tmp/pasted\n').toString('base64')) + enc('end', '0')),
    close: () => ws.close(),
  };
}

/** The HTTP answer to an upgrade that is refused (status and body), or 101. */
const upgrade = (tok: string) =>
  new Promise<{ status: number; body: string }>((resolve) => {
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(tok)}`);
    ws.on('upgrade', () => {
      resolve({ status: 101, body: '' });
      ws.terminate();
    });
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
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
};

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await db.prisma.user.create({ data: { email: 'share-owner@genos.test' } });
  stranger = await db.prisma.user.create({ data: { email: 'share-stranger@genos.test' } });
  teamId = (await db.prisma.team.create({ data: { name: 'Rec', slug: `rec-${process.pid}`, recordSessions: true, recordingRetentionDays: 30 } })).id;

  // A real desktop: the base image, x11vnc on a unix socket, no network.
  socketDir = path.join(state.stateDir, 'share-display');
  await fs.mkdir(socketDir, { mode: 0o700 });
  await fs.chown(socketDir, 1000, 1000);
  await docker.getContainer(CONTAINER).remove({ force: true }).catch(() => undefined);
  const c = await docker.createContainer({
    name: CONTAINER,
    Image: 'genos/desktop-base:1',
    User: '1000:1000',
    Env: ['GENOS_APPS=xterm', 'GENOS_VNC_PASSWORD=sharepw'],
    Labels: state.labels,
    HostConfig: { Binds: [`${socketDir}:/run/genos/display`], NetworkMode: 'none', CapDrop: ['ALL'], Tmpfs: { '/tmp': 'rw', '/home/genos': 'rw,uid=1000,gid=1000' }, ReadonlyRootfs: true },
  });
  await c.start();
  const sock = path.join(socketDir, 'vnc.sock');
  if (!(await until(() => fs.stat(sock).then(() => true, () => false), 30_000))) throw new Error('no vnc.sock');
  // Typing goes to the xterm: wait until its window is on the screen.
  // Mapped, not only created: xterm makes its window well before openbox shows it, and keys sent meanwhile go nowhere.
  if (!(await until(async () => (await execOut(['sh', '-c', 'DISPLAY=:0 xwininfo -name xterm 2>/dev/null'])).includes('IsViewable'), 30_000))) throw new Error('no xterm window');
  // guacd is contained (no route to the host's loopback): it reaches the desktop through a socket path.
  bridge = await listenForGuacd(state.stateDir, 'share-desk', (client) => {
    const up = net.connect(sock);
    client.pipe(up).pipe(client);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  envId = (
    await db.prisma.environment.create({
      data: { name: 'shared desk', spec: DEFAULT_SPEC as never, ownerId: owner.id, teamId, state: 'running', displayEndpoint: { protocol: 'vnc', host: bridge.path, port: 0, password: 'sharepw' } },
    })
  ).id;

  keys = keyServiceFor({ prisma: db.prisma, kekFile: process.env.GENOS_KEK_FILE! }).keys;
  const recordings = await prepareRecordingsDir({ stateDir: state.stateDir, guacdUser: 'genos-guacd', recordAll: false, keys });
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 }, recordings });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  try {
    tunnel?.close();
    server?.close();
    await bridge?.close();
    await docker.getContainer(CONTAINER).remove({ force: true }).catch(() => undefined);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    const rows = db ? await db.prisma.recording.findMany({ where: { environmentId: envId } }) : [];
    for (const f of [...madeRecordings, ...rows.map((r) => r.path)]) await fs.rm(f, { force: true });
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('share links', () => {
  it('only the owner creates, lists and revokes links; the secret is shown once and audited', async () => {
    await expect(callerFor(stranger).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(null).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    expect(link.path).toBe(`/share/${link.secret}`);
    const row = await db.prisma.shareLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(row.hash).not.toContain(link.secret);
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await callerFor(owner).environments.share.list({ id: envId });
    expect(listed.find((l) => l.id === link.id)).toMatchObject({ mode: 'view', state: 'active' });
    expect(JSON.stringify(listed)).not.toContain(link.secret);
    await expect(callerFor(stranger).environments.share.list({ id: envId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(stranger).environments.share.revoke({ shareId: link.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await callerFor(owner).environments.share.revoke({ shareId: link.id });
    const actions = (await db.prisma.auditLog.findMany({ where: { targetId: envId } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['share.create', 'share.revoke']));
  });

  it('a view-only connection never reaches the desktop, while the owner\'s does; opening is audited', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    // Anonymous: view links need no account.
    const anon = callerFor(null).environments.share;
    expect(await anon.describe({ secret: link.secret })).toMatchObject({ mode: 'view', name: 'shared desk' });
    const viewer = guacClient((await anon.connectionToken({ secret: link.secret })).token);
    await viewer.waitReady();
    expect(await db.prisma.auditLog.count({ where: { targetId: envId, action: 'share.open' } })).toBe(1);

    // The viewer clicks into the xterm and types a command, and pastes one.
    viewer.click(120, 120);
    await new Promise((r) => setTimeout(r, 700));
    viewer.type('touch /tmp/from-viewer\n');
    viewer.clipboard();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await fileExists('/tmp/from-viewer')).toBe(false);
    expect(await fileExists('/tmp/pasted')).toBe(false);

    // The owner, on the same desktop, does the same: it runs, and the viewer watches the screen change.
    const ownerClient = guacClient((await callerFor(owner).environments.connectionToken({ id: envId })).token);
    await ownerClient.waitReady();
    const drawsBefore = viewer.draws;
    ownerClient.click(120, 120);
    // openbox moves the focus on the click; keys sent before that would go nowhere.
    await new Promise((r) => setTimeout(r, 700));
    ownerClient.type('touch /tmp/from-owner\n');
    expect(await until(() => fileExists('/tmp/from-owner'), 15_000)).toBe(true);
    expect(await until(() => viewer.draws > drawsBefore, 5000)).toBe(true);
    expect(await fileExists('/tmp/from-viewer')).toBe(false);

    // Revoking ends the live view-only session too.
    await callerFor(owner).environments.share.revoke({ shareId: link.id });
    expect(await until(() => viewer.ws.readyState === WebSocket.CLOSED, 10_000)).toBe(true);
    expect(viewer.closedReason).toMatch(/revoked/);
    ownerClient.close();
  });

  it('expired and revoked links are refused with a clear message, before guacd', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const token = (await callerFor(null).environments.share.connectionToken({ secret: link.secret })).token;
    const token2 = (await callerFor(null).environments.share.connectionToken({ secret: link.secret })).token;
    await callerFor(owner).environments.share.revoke({ shareId: link.id });
    await expect(callerFor(null).environments.share.describe({ secret: link.secret })).rejects.toThrow(/revoked by the desktop owner/);
    await expect(callerFor(null).environments.share.connectionToken({ secret: link.secret })).rejects.toThrow(/revoked/);
    // A token minted before the revoke is refused at the tunnel, with the same words.
    expect(await upgrade(token)).toMatchObject({ status: 403, body: expect.stringMatching(/revoked/) });

    const old = await callerFor(owner).environments.share.create({ id: envId, mode: 'view', ttlMinutes: 60 });
    const oldToken = (await callerFor(null).environments.share.connectionToken({ secret: old.secret })).token;
    await db.prisma.shareLink.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(callerFor(null).environments.share.describe({ secret: old.secret })).rejects.toThrow(/expired/);
    await expect(callerFor(null).environments.share.connectionToken({ secret: old.secret })).rejects.toThrow(/expired/);
    expect(await upgrade(oldToken)).toMatchObject({ status: 403, body: expect.stringMatching(/expired/) });
    await expect(callerFor(null).environments.share.describe({ secret: 'x'.repeat(32) })).rejects.toThrow(/does not exist/);
    // Every token of a revoked link is refused, however fresh.
    expect((await upgrade(token2)).status).toBe(403);
  });

  it('collaborate links need a signed-in user', async () => {
    const link = await callerFor(owner).environments.share.create({ id: envId, mode: 'collaborate', ttlMinutes: 60 });
    await expect(callerFor(null).environments.share.connectionToken({ secret: link.secret })).rejects.toThrow(/Sign in/);
    const t = await callerFor(stranger).environments.share.connectionToken({ secret: link.secret });
    expect(t.mode).toBe('collaborate');
    expect((await upgrade(t.token)).status).toBe(101);
  });

  it('records sessions of a team with recording on: a row per connection, a guacd file, and retention deletes old ones', async () => {
    const before = await db.prisma.recording.count({ where: { environmentId: envId } });
    const c = guacClient((await callerFor(owner).environments.connectionToken({ id: envId })).token);
    await c.waitReady();
    c.click(100, 100);
    await new Promise((r) => setTimeout(r, 700));
    c.type('echo recorded\n');
    await new Promise((r) => setTimeout(r, 1000));
    c.close();
    const rows = await db.prisma.recording.findMany({ where: { environmentId: envId }, orderBy: { startedAt: 'desc' } });
    expect(rows.length).toBeGreaterThan(before);
    const rec = rows[0]!;
    expect(rec.userId).toBe(owner.id);
    // Once guacd has let go of it, the file is sealed under the recording's own key: the row points at the
    // sealed file, the plain one is gone, and no guacd instruction is left in the clear anywhere in the state dir.
    expect(await until(async () => (await db.prisma.recording.findUniqueOrThrow({ where: { id: rec.id } })).path.endsWith(SEALED_SUFFIX), 30_000)).toBe(true);
    const done = await db.prisma.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(done.endedAt).not.toBeNull();
    expect(Number(done.bytes)).toBeGreaterThan(1000);
    await expect(fs.stat(rec.path)).rejects.toThrow();
    const onDisk = await fs.readFile(done.path);
    expect(onDisk.includes('.size,')).toBe(false);
    expect(await grepTree(state.stateDir, /\d+\.(size|img|sync),/)).toEqual([]);
    // Playback decrypts on the fly, for administrators only, and each opening is a use of the key on record.
    const admin = { id: owner.id, role: 'admin' };
    const uses = () => db.prisma.auditLog.count({ where: { action: 'key.use', after: { path: ['objectId'], equals: rec.id } } });
    const usesBefore = await uses();
    const played = await handleRecordingStream(rec.id, { prisma: db.prisma, keys, user: admin });
    expect(played.status).toBe(200);
    const body = Buffer.from(await played.arrayBuffer());
    expect(body.length).toBe(Number(done.bytes));
    expect(played.headers.get('content-length')).toBe(String(body.length));
    expect(body.toString('utf8', 0, 4000)).toMatch(/\d+\.(size|img),/);
    expect(await uses()).toBe(usesBefore + 1);
    expect((await handleRecordingStream(rec.id, { prisma: db.prisma, keys, user: { id: owner.id, role: 'user' } })).status).toBe(403);
    // The sealed file of one recording copied onto another's row does not open.
    const copy = await db.prisma.recording.create({ data: { environmentId: envId, path: `${done.path}.copy${SEALED_SUFFIX}`, endedAt: new Date() } });
    await fs.copyFile(done.path, copy.path);
    madeRecordings.push(copy.path);
    expect((await handleRecordingStream(copy.id, { prisma: db.prisma, keys, user: admin })).status).toBe(409);

    // Retention: older than the team's 30 days → file deleted, row marked.
    const oldFile = path.join(state.stateDir, 'recordings', `old-${process.pid}.guac`);
    await fs.writeFile(oldFile, '4.sync,1.0;');
    madeRecordings.push(oldFile);
    const old = await db.prisma.recording.create({ data: { environmentId: envId, path: oldFile, startedAt: new Date(Date.now() - 31 * 86_400_000) } });
    expect(await sweepRecordings(db.prisma, keys)).toBeGreaterThanOrEqual(1);
    expect((await db.prisma.recording.findUniqueOrThrow({ where: { id: old.id } })).deletedAt).not.toBeNull();
    await expect(fs.stat(oldFile)).rejects.toThrow();
    expect((await db.prisma.recording.findUniqueOrThrow({ where: { id: rec.id } })).deletedAt).toBeNull();
    await expect(fs.stat(done.path)).resolves.toBeTruthy();
  });
});
