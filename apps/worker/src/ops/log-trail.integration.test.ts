import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import argon2 from 'argon2';
import Dockerode from 'dockerode';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkInProgress, DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { bossEnqueue, createPrismaStore, ensurePoolOwner } from '@genos/db';
import { createWorkerTestBed, freshTestState, type FreshTestState, type WorkerTestBed } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { registerHandlers } from '../jobs/register-handlers';
import { createLogger } from '../logger';
import { createCaller } from '../../../web/src/server/api/root';
import { createInnerContext } from '../../../web/src/server/api/trpc';
import { attachTunnel } from '../../../web/src/server/tunnel/attach-tunnel';
import { withCurrentRequestId } from '../../../web/src/server/ops/job-request-id';
import { configureWebLogger } from '../../../web/src/server/ops/logger';

// One environment's story across the web app (tRPC, the display tunnel) and the worker (its jobs), as JSON lines:
// a request id from the tRPC call reaches the worker through the job, every line about the environment names it,
// and no secret the flows used (password, API token, tunnel token, VNC password, AUTH_SECRET, tunnel key) appears.
const PASSWORD = 'correct horse battery staple 42';
const KEY = 'T'.repeat(16) + 'k'.repeat(16);
const HOST = 'logs-host';
const REQUEST_ID = 'req-logtrail-0001';

const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const capture = () =>
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      done();
    },
  });

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
let bed: WorkerTestBed;
let state: FreshTestState;
let handlers: { stop(): Promise<void> };
let server: http.Server;
let tunnel: { close(): void };
let userId: string;

const caller = (requestId: string, user: { id: string; email: string } | null) =>
  createCaller(
    createInnerContext({
      user: user ? { ...user, name: null, role: 'user' } : null,
      ip: '127.0.0.1',
      prisma: bed.db.prisma,
      // As services.ts builds the web's store: jobs carry the request id of the call that enqueued them.
      store: createPrismaStore({ prisma: bed.db.prisma, enqueue: withCurrentRequestId(bossEnqueue(bed.boss)) }),
      tunnelKey: KEY,
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
      requestId,
    }),
  );

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  configureWebLogger({ level: 'debug', destination: capture() });
  bed = await createWorkerTestBed({ hostId: HOST, email: 'logs@genos.test' });
  state = await freshTestState('log-trail');
  userId = bed.user.id!;
  await bed.db.prisma.user.update({ where: { id: userId }, data: { passwordHash: await argon2.hash(PASSWORD) } });
  handlers = await registerHandlers({
    boss: bed.boss,
    store: bed.store,
    driver: createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels }),
    hostName: HOST,
    databaseUrl: bed.db.url,
    concurrency: 1,
    poolOwnerId: await ensurePoolOwner(bed.db.prisma),
    log: createLogger('debug', capture()),
    busy: createWorkInProgress(),
  });
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: bed.db.prisma, store: bed.store, key: KEY, guacd: { host: '127.0.0.1', port: Number(process.env.GUACD_PORT ?? 4822) } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  try {
    tunnel?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await handlers?.stop();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    await bed?.drop();
  } finally {
    await state?.remove();
  }
});

describe('log lines', () => {
  it('follow one environment from the tRPC call through its jobs and its display, with no secret in any line', async () => {
    const me = { id: userId, email: 'logs@genos.test' };
    // A wrong password, then the right one: an API token comes back (its secret must never be logged).
    await expect(caller('req-logtrail-signin-1', null).auth.issueToken({ email: me.email, password: 'wrong password here' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const apiToken = await caller('req-logtrail-signin-2', null).auth.issueToken({ email: me.email, password: PASSWORD, name: 'logs' });

    const env = await caller(REQUEST_ID, me).environments.create({ spec: { ...DEFAULT_SPEC, apps: ['xterm'] }, request: 'a desktop for the log test' });
    await until(async () => (await bed.db.prisma.environment.findUnique({ where: { id: env.id } }))?.state === 'running');

    // The display: a tunnel token minted through tRPC, opened, until the first frame arrives.
    const { token } = await caller('req-logtrail-connect', me).environments.connectionToken({ id: env.id });
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
      const timer = setTimeout(() => reject(new Error('no frame within 30 s')), 30_000);
      ws.on('message', (d: Buffer) => {
        if (/(^|;)3\.img,/.test(d.toString())) {
          clearTimeout(timer);
          ws.close();
          resolve();
        }
      });
      ws.on('error', reject);
    });
    await until(async () => lines.some((l) => l.msg === 'display connection closed' && l.environmentId === env.id), 10_000);

    await caller('req-logtrail-terminate', me).environments.terminate({ id: env.id });
    await until(async () => lines.some((l) => l.msg === 'job done' && l.job === 'environment.terminate' && l.environmentId === env.id));

    // One grep for the environment finds the web's calls, the worker's jobs and the tunnel's connection.
    const story = raw.filter((l) => l.includes(env.id)).map((l) => JSON.parse(l) as Record<string, unknown>);
    const said = story.map((l) => `${l.name}:${l.msg}`);
    expect(said).toEqual(expect.arrayContaining(['genos-web:trpc call', 'genos-worker:job started', 'genos-worker:job done', 'genos-web:display connection opened', 'genos-web:display connection closed']));
    // The create call's request id is on the web's line and on the worker's lines for the job it enqueued.
    expect(story.filter((l) => l.requestId === REQUEST_ID).map((l) => `${l.name}:${l.msg}:${l.job ?? l.path}`)).toEqual(
      expect.arrayContaining(['genos-web:trpc call:environments.create', 'genos-worker:job started:environment.provision', 'genos-worker:job done:environment.provision']),
    );
    // The display connection logs under the request id of the call that minted its tunnel token.
    expect(story.find((l) => l.msg === 'display connection closed')).toMatchObject({ environmentId: env.id, requestId: 'req-logtrail-connect', firstFrameMs: expect.any(Number) });
    expect(story.filter((l) => l.requestId === 'req-logtrail-connect').map((l) => l.msg)).toEqual(['trpc call', 'display connection opened', 'display connection closed']);

    // No secret anywhere: what the flows used, what the database holds for the desktop, and the process's own keys.
    const vnc = ((await bed.db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } })).displayEndpoint as { password?: string } | null)?.password;
    const secrets = { password: PASSWORD, apiToken: apiToken.token, tunnelToken: token, tunnelKey: KEY, vncPassword: vnc, authSecret: process.env.AUTH_SECRET };
    expect(raw.length).toBeGreaterThan(10);
    for (const [what, secret] of Object.entries(secrets)) {
      if (!secret) continue;
      expect(raw.filter((l) => l.includes(secret)), `${what} appears in a log line`).toEqual([]);
    }
    expect(raw.some((l) => l.includes('wrong password here'))).toBe(false);
  });
});
