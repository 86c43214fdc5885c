import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from '@playwright/test';
import pg from 'pg';
import { TEST_INSTANCE_PREFIX, TEST_STATE_ROOT } from '@genos/db/testing';
import { docker } from './helpers';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * A GenOS of a spec's own, started as a newcomer starts it (`npm run up`):
 * an instance, an empty database and a state dir that does not exist yet
 * (its parent is an ordinary folder, like /var/lib on a new machine).
 * stop() ends it as Ctrl+C would and removes whatever a failed run left.
 */
export interface OwnStack {
  instance: string;
  stateDir: string;
  admin: { email: string; password: string };
  /** What `npm run up` printed last (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const serverUrl = () => {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set (scripts/test.sh sets it)');
  return url;
};
async function onServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function startOwnStack(opts: { name: string; port: number; readyUrl: string; env?: Record<string, string>; fetchReady?: (url: string, output: string) => Promise<number> }): Promise<OwnStack> {
  const instance = `${TEST_INSTANCE_PREFIX}${opts.name}-${randomBytes(3).toString('hex')}`;
  const dbName = `genos_${opts.name.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = { email: `${opts.name}@genos.test`, password: `pw-${randomBytes(6).toString('hex')}` };
  await fs.mkdir(TEST_STATE_ROOT, { recursive: true, mode: 0o711 });
  const parent = await fs.mkdtemp(path.join(TEST_STATE_ROOT, instance));
  await fs.chmod(parent, 0o755);
  const stateDir = path.join(parent, 'genos', instance);
  await onServer((c) => c.query(`CREATE DATABASE ${dbName}`));
  const u = new URL(serverUrl());
  u.pathname = `/${dbName}`;

  const stack: ChildProcess = spawn('npm', ['run', 'up'], {
    cwd: repoRoot,
    // Its own process group: stopped as Ctrl+C would stop it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(opts.port),
      DATABASE_URL: u.toString(),
      GENOS_INSTANCE: instance,
      GENOS_STATE_DIR: stateDir,
      GENOS_ADMIN_EMAIL: admin.email,
      GENOS_ADMIN_PASSWORD: admin.password,
      ...opts.env,
    },
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  stack.stdout!.on('data', keep);
  stack.stderr!.on('data', keep);

  const stop = async () => {
    if (stack.pid && stack.exitCode === null) {
      process.kill(-stack.pid, 'SIGINT');
      const ended = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 30_000);
        stack.once('exit', () => (clearTimeout(t), resolve(true)));
      });
      if (!ended) process.kill(-stack.pid, 'SIGKILL');
    }
    // After a failure: what the stack left of this instance (a passing run removes it all itself).
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${instance}`] } })) await docker.getContainer(c.Id).remove({ force: true });
    await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    await fs.rm(parent, { recursive: true, force: true });
  };
  const ready = opts.fetchReady ?? ((url: string) => fetch(url).then((r) => r.status, () => 0));
  try {
    await expect
      .poll(async () => {
        if (stack.exitCode !== null) throw new Error(`npm run up exited (${stack.exitCode}):\n${output.slice(-3000)}`);
        return ready(opts.readyUrl, output);
      }, { timeout: 540_000, intervals: [1000] })
      .toBe(200);
  } catch (e) {
    await stop();
    throw e;
  }
  return { instance, stateDir, admin, output: () => output, stop };
}
