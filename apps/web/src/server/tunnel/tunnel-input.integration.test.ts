import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, encryptTunnelToken } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, freshTestState, listenForGuacd, type GuacdSocket, type TestDatabase } from '@genos/db/testing';
import { attachTunnel } from './attach-tunnel';

// The tunnel's side of the idle policy (input is recorded, suspended desktops are refused), and the
// owner's window size turning into resize jobs for the desktop's host.
const KEY = 'i'.repeat(32);
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let base = '';
let ownerId = '';
// A display that accepts the connection and stays silent, so guacd keeps the tunnel open
// while the test sends input (a dead port made guacd hang up first, racing the test).
// guacd is contained (its own network namespace): the silent display is a socket path it can open.
const state = await freshTestState('tunnel-input');
let silentDisplay: GuacdSocket;
const held: net.Socket[] = [];
/** Jobs the tunnel's use-cases enqueued: name and data. */
const jobs: { name: string; data: Record<string, unknown> }[] = [];

const token = (environmentId: string) =>
  encryptTunnelToken(
    {
      connection: { type: 'vnc', settings: { hostname: silentDisplay.path, port: '0' } },
      genos: { environmentId, userId: ownerId, exp: Date.now() + 60_000, purpose: 'control', jti: randomUUID() },
    },
    KEY,
  );

const newEnv = async (state: 'running' | 'suspended', warning: string | null = null, spec: object = DEFAULT_SPEC) =>
  (
    await db.prisma.environment.create({
      data: { name: 'd', spec: spec as never, ownerId, state, host: 'h1', warning, warnedAt: warning ? new Date() : null, displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } },
    })
  ).id;

const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
  const end = Date.now() + 5000;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  silentDisplay = await listenForGuacd(state.stateDir, 'silent', (sock) => held.push(sock));
  db = await createTestDatabase();
  ownerId = (await db.prisma.user.create({ data: { email: 'input@genos.test' } })).id;
  const store = createPrismaStore({ prisma: db.prisma, enqueue: async (name, data) => (jobs.push({ name, data: data as Record<string, unknown> }), null) });
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 }, store });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const sock of held) sock.destroy();
  await silentDisplay?.close();
  tunnel?.close();
  server?.close();
  await db?.drop();
  await state.remove();
});

describe('display tunnel and the idle policy', () => {
  it('records keyboard and mouse input as lastInputAt and clears an idle warning, but not other traffic', async () => {
    const id = await newEnv('running', 'idle');
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token(id))}`);
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    ws.send('4.sync,8.12345678;');
    await new Promise((r) => setTimeout(r, 300));
    expect((await db.prisma.environment.findUniqueOrThrow({ where: { id } })).lastInputAt).toBeNull();
    const sent = Date.now();
    ws.send('5.mouse,2.10,2.10,1.0;');
    const after = await until(() => db.prisma.environment.findUniqueOrThrow({ where: { id } }), (e) => e.lastInputAt !== null);
    expect(after.lastInputAt!.getTime()).toBeGreaterThanOrEqual(sent - 1000);
    expect(after.warning).toBeNull();
    ws.terminate();
  });

  it('refuses a suspended desktop with a clear message', async () => {
    const id = await newEnv('suspended');
    const refusal = await new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token(id))}`);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
    expect(refusal.status).toBe(409);
    expect(refusal.body).toMatch(/suspended: resume it to connect/);
  });

  it('resizes the owner\'s desktop to the window: settled sizes only, within what the desktop can show', async () => {
    const id = await newEnv('running');
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token(id))}`);
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    const resizes = () => jobs.filter((j) => j.name === 'environment.resize-display.h1' && j.data.environmentId === id).map((j) => j.data);
    // A window drag: many sizes at once. The newest wins; the ones in between are dropped.
    for (let w = 1000; w <= 1400; w += 40) ws.send(`4.size,${String(w).length}.${w},3.700;`);
    await until(async () => resizes(), (r) => r.some((d) => d.width === 1400));
    expect(resizes().length).toBeLessThanOrEqual(3);
    expect(resizes().at(-1)).toEqual({ environmentId: id, width: 1400, height: 700 });
    // A phone held upright: never narrower than 640 (the picture is scaled below that); odd pixels rounded down.
    ws.send('4.size,3.391,3.845;');
    await until(async () => resizes(), (r) => r.at(-1)?.width === 640);
    expect(resizes().at(-1)).toEqual({ environmentId: id, width: 640, height: 844 });
    ws.terminate();
  });

  it('never resizes a VM (its picture is scaled)', async () => {
    const id = await newEnv('running', null, { ...DEFAULT_SPEC, runtime: 'vm' });
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token(id))}`);
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    ws.send('4.size,4.1400,3.700;');
    await new Promise((r) => setTimeout(r, 1000));
    expect(jobs.filter((j) => j.data.environmentId === id)).toEqual([]);
    ws.terminate();
  });
});
