import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import pg from 'pg';
import { TEST_INSTANCE_PREFIX, TEST_STATE_ROOT } from '@genos/db/testing';
import { docker, signIn, terminateInView } from './helpers';

// The newcomer's path, first in CI (its own Playwright project, which the others wait for):
// the README's first command (`npm run up`) with a state dir that does not exist yet, an
// empty database and an instance of its own; sign in, type a sentence, Launch, and the
// remote screen shows real pixels read from its canvas within 60 s. Then terminate: nothing
// of it is left. This is the run that failed on a brand-new machine (guacd could not enter
// the state dir's display folder) while every other test passed on older state.
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const PORT = 3200;
const BASE = `http://127.0.0.1:${PORT}`;
const ADMIN = { email: 'first-run@genos.test', password: `first-${randomBytes(6).toString('hex')}` };
const instance = `${TEST_INSTANCE_PREFIX}fr-${randomBytes(3).toString('hex')}`;
const dbName = `genos_first_run_${randomBytes(4).toString('hex')}`;
let parent = '';
let stateDir = '';
let dbUrl = '';
let stack: ChildProcess | null = null;
let output = '';

const serverUrl = () => {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set (scripts/test.sh sets it)');
  return url;
};
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Share of the remote screen's canvas pixels that are not black, read from the canvases themselves. */
function litShare(display: Locator): Promise<number> {
  return display.evaluate((el) => {
    let best = 0;
    for (const canvas of Array.from(el.querySelectorAll('canvas'))) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) continue;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! > 16 || data[i + 1]! > 16 || data[i + 2]! > 16)) lit++;
      best = Math.max(best, lit / (canvas.width * canvas.height));
    }
    return best;
  });
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  // Like /var/lib on a new machine: an ordinary folder, and no genos/ under it yet.
  await fs.mkdir(TEST_STATE_ROOT, { recursive: true, mode: 0o711 });
  parent = await fs.mkdtemp(path.join(TEST_STATE_ROOT, instance));
  await fs.chmod(parent, 0o755);
  stateDir = path.join(parent, 'genos', instance);
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const u = new URL(serverUrl());
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();

  stack = spawn('npm', ['run', 'up'], {
    cwd: repoRoot,
    // Its own process group: stopped below as Ctrl+C would stop it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(PORT),
      DATABASE_URL: dbUrl,
      GENOS_INSTANCE: instance,
      GENOS_STATE_DIR: stateDir,
      GENOS_ADMIN_EMAIL: ADMIN.email,
      GENOS_ADMIN_PASSWORD: ADMIN.password,
    },
  });
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  stack.stdout!.on('data', keep);
  stack.stderr!.on('data', keep);
  await expect
    .poll(async () => {
      if (stack?.exitCode !== null) throw new Error(`npm run up exited (${stack?.exitCode}):\n${output.slice(-3000)}`);
      return fetch(`${BASE}/signin`).then((r) => r.status, () => 0);
    }, { timeout: 540_000, intervals: [1000] })
    .toBe(200);
});

test.afterAll(async () => {
  if (stack?.pid && stack.exitCode === null) {
    process.kill(-stack.pid, 'SIGINT');
    const ended = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 30_000);
      stack!.once('exit', () => (clearTimeout(t), resolve(true)));
    });
    if (!ended) process.kill(-stack.pid, 'SIGKILL');
  }
  // After a failure: what the stack left of this instance (a passing run removes it all itself).
  for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${instance}`] } })) await docker.getContainer(c.Id).remove({ force: true });
  if (dbUrl) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  if (parent) await fs.rm(parent, { recursive: true, force: true });
});

test('a newcomer: npm run up on a fresh state dir, a sentence, and the desktop shows within 60 s', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.goto(`${BASE}/`);
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, ADMIN.email, ADMIN.password, null);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  await page.getByLabel('Describe the environment you need').fill('I need a Linux desktop with a terminal');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  const launched = Date.now();
  await card.getByRole('button', { name: 'Launch' }).click();

  const view = page.getByTestId('environment-view');
  const display = page.getByTestId('remote-display');
  await expect.poll(() => litShare(display).catch(() => 0), { timeout: 60_000, intervals: [250] }).toBeGreaterThan(0.05);
  const seconds = (Date.now() - launched) / 1000;
  testInfo.annotations.push({ type: 'first pixels after Launch', description: `${seconds.toFixed(1)} s` });
  console.log(`[first-run] real pixels on the remote screen ${seconds.toFixed(1)} s after Launch`);
  await testInfo.attach('newcomer-desktop', { body: await page.screenshot(), contentType: 'image/png' });

  const envId = (await view.getAttribute('data-env-id'))!;
  // The folders guacd passes through on its way to the socket: made passable, never listable.
  for (const dir of [stateDir, path.join(stateDir, 'displays')]) expect(((await fs.stat(dir)).mode & 0o777).toString(8)).toBe('711');

  await terminateInView(view);
  const label = [`genos.instance=${instance}`];
  await expect.poll(async () => (await docker.listContainers({ all: true, filters: { label } })).length).toBe(0);
  expect((await docker.listNetworks({ filters: { label } })).map((n) => n.Name)).toEqual([]);
  await expect(fs.stat(path.join(stateDir, 'displays', envId))).rejects.toThrow();
  await expect(fs.stat(path.join(stateDir, 'transfer', envId))).rejects.toThrow();
});
