import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoss, createPrismaClient, type PgBoss, type PrismaClient } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { startRelay, type Relay } from '../../../../worker/src/ops/testing/relay';
import { issueApiToken } from '../auth/api-tokens';
import { createWebOps } from './ops-handler';
import { webMetrics } from './web-metrics';

// The web app's ops endpoints as server.ts mounts them, over the real PostgreSQL and guacd (each behind a relay this
// test stops and starts; the shared services are never touched), reached from loopback and from this machine's own
// non-loopback address (a real other address, no header tricks).
let db: TestDatabase;
let prisma: PrismaClient;
let pg: Relay;
let guacd: Relay;
let server: http.Server;
let boss: PgBoss;
let port: number;
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

/** As server.ts: X-Forwarded-For is the socket's own address (no trusted proxy). */
const request = (p: string, opts: { from?: string; token?: string } = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: opts.from ?? '127.0.0.1', port, path: p, localAddress: opts.from, headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
const readyz = async () => {
  const r = await request('/readyz');
  const body = JSON.parse(r.body) as { failing: string[]; checks: Record<string, { status: string; error?: string }> };
  return { code: r.status, failing: body.failing, checks: body.checks };
};
async function until(ok: (r: Awaited<ReturnType<typeof readyz>>) => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last = await readyz();
  while (!ok(last) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    last = await readyz();
  }
  return last;
}

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  const url = new URL(db.url);
  pg = await startRelay({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(pg.port);
  prisma = createPrismaClient(url.toString());
  guacd = await startRelay({ port: Number(process.env.GUACD_PORT ?? 4822) });
  const ops = createWebOps({ prisma, guacd: { kind: 'tcp', host: '127.0.0.1', port: guacd.port }, timeoutMs: 1500 });
  server = http.createServer((req, res) => {
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    if (!ops.handle(req, res)) res.writeHead(404).end();
  });
  // Every address, so the test can also come from the machine's own non-loopback one.
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await prisma?.$disconnect();
  await pg?.stop();
  await guacd?.stop();
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('web readiness', () => {
  it('is ready with the database, the queue and guacd named', async () => {
    const r = await until((x) => x.code === 200);
    expect(r.code).toBe(200);
    expect(Object.keys(r.checks).sort()).toEqual(['database', 'guacd', 'queue']);
    expect((await request('/healthz')).status).toBe(200);
  });

  it('names guacd when it is stopped and the database when it is unreachable, and is ready again after', async () => {
    await guacd.stop();
    const noGuacd = await readyz();
    expect(noGuacd.code).toBe(503);
    expect(noGuacd.failing).toEqual(['guacd']);
    await guacd.start();
    await pg.stop();
    const noDb = await until((x) => x.failing.includes('database'));
    expect(noDb.code).toBe(503);
    expect(noDb.failing).toEqual(['database', 'queue']);
    await pg.start();
    expect((await until((x) => x.code === 200)).failing).toEqual([]);
  });
});

describe('web metrics access', () => {
  it('serves loopback callers', async () => {
    webMetrics().signInFailures.inc({ reason: 'invalid' });
    const r = await request('/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/genos_signin_failures_total\{reason="invalid",service="web"\} \d/);
    expect(r.body).toContain('genos_dependency_up{dependency="guacd",service="web"} 1');
  });

  it.runIf(external)('refuses another address without a token, or with a token lacking metrics:read; serves one with it', async () => {
    const admin = await prisma.user.create({ data: { email: 'ops-admin@genos.test', role: 'admin' } });
    const user = await prisma.user.create({ data: { email: 'ops-user@genos.test' } });
    const none = await request('/metrics', { from: external });
    expect(none.status).toBe(401);
    expect(none.body).not.toContain('genos_');
    const scoped = await issueApiToken(prisma, { userId: admin.id, name: 'prometheus', ttlHours: 1, scopes: ['metrics:read'] });
    const other = await issueApiToken(prisma, { userId: admin.id, name: 'tool', ttlHours: 1, scopes: ['environments:read'] });
    expect((await request('/metrics', { from: external, token: other.token })).status).toBe(403);
    expect((await request('/metrics', { from: external, token: 'genos_not-a-real-token' })).status).toBe(401);
    const ok = await request('/metrics', { from: external, token: scoped.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('genos_display_sessions');
    // Readiness answers everyone, but why a part is down only to callers that may read metrics.
    expect(JSON.parse((await request('/readyz', { from: external })).body).checks.database).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    // metrics:read is for global admins: a user cannot grant it to a token, and a token a demoted admin holds loses it.
    await expect(issueApiToken(prisma, { userId: user.id, name: 'nope', ttlHours: 1, scopes: ['metrics:read'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await prisma.user.update({ where: { id: admin.id }, data: { role: 'user' } });
    expect((await request('/metrics', { from: external, token: scoped.token })).status).toBe(403);
  });
});
