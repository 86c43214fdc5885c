import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, encryptTunnelToken, type TunnelToken } from '@genos/core';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { attachTunnel } from './attach-tunnel';

const KEY = 'k'.repeat(32);
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let base = '';
let envId = '';
let ownerId = '';

const token = (over: Partial<TunnelToken['genos']> = {}, key = KEY) =>
  encryptTunnelToken(
    {
      connection: { type: 'vnc', settings: { hostname: '127.0.0.1', port: '1' } },
      genos: { environmentId: envId, userId: ownerId, exp: Date.now() + 60_000, purpose: 'control', jti: randomUUID(), ...over },
    },
    key,
  );

/** Resolves with the HTTP status of the upgrade: 101 when the tunnel accepts. */
const upgradeStatus = (tok: string) =>
  new Promise<number>((resolve) => {
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(tok)}`);
    ws.on('upgrade', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });

beforeAll(async () => {
  db = await createTestDatabase();
  const owner = await db.prisma.user.create({ data: { email: 'owner@genos.test' } });
  ownerId = owner.id;
  const env = await db.prisma.environment.create({
    data: { name: 'd', spec: DEFAULT_SPEC as never, ownerId, state: 'running', displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } },
  });
  envId = env.id;
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tunnel?.close();
  server?.close();
  await db?.drop();
});

describe('display tunnel', () => {
  it('accepts a fresh token from the owner of a running environment, once', async () => {
    const fresh = token();
    expect(await upgradeStatus(fresh)).toBe(101);
    // A token seen in a log or history cannot be replayed.
    expect(await upgradeStatus(fresh)).toBe(401);
  });

  it('refuses forged, tampered, expired and foreign tokens before guacd sees them', async () => {
    const auditBefore = await db.prisma.auditLog.count();
    expect(await upgradeStatus(token({}, 'z'.repeat(32)))).toBe(401);
    expect(await upgradeStatus('eyJpdiI6ImFhYWEiLCJ2YWx1ZSI6ImJiYmIifQ==')).toBe(401);
    expect(await upgradeStatus(token({ exp: Date.now() - 1000 }))).toBe(401);
    expect(await upgradeStatus(token({ userId: 'someoneelse' }))).toBe(403);
    expect(await upgradeStatus(token({ environmentId: 'missing' }))).toBe(403);
    expect(await upgradeStatus('')).toBe(401);
    // Nothing about the environment changed.
    const env = await db.prisma.environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env.state).toBe('running');
    expect(await db.prisma.auditLog.count()).toBe(auditBefore);
  });

  it('tells why a tampered or expired token is refused', async () => {
    const refusal = (tok: string) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(tok)}`);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => undefined);
      });
    // Flip one byte of the ciphertext: the padding or the JSON breaks, never a valid other token.
    const outer = JSON.parse(Buffer.from(token(), 'base64').toString()) as { iv: string; value: string };
    const v = Buffer.from(outer.value, 'base64');
    v[v.length - 20]! ^= 0xff;
    const tampered = Buffer.from(JSON.stringify({ ...outer, value: v.toString('base64') })).toString('base64');
    expect(await refusal(tampered)).toEqual({ status: 401, body: 'The display link is invalid or was altered: reload the page for a new one.\n' });
    expect((await refusal(token({ exp: Date.now() - 1 }))).body).toMatch(/expired: reload the page/);
  });

  it('refuses a token for an environment that is no longer running', async () => {
    await db.prisma.environment.update({ where: { id: envId }, data: { state: 'terminated' } });
    expect(await upgradeStatus(token())).toBe(409);
  });
});
