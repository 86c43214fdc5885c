import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { docker, litShare, signIn, terminateInView } from './helpers';
import { startOwnStack, type OwnStack } from './own-stack';

// The newcomer's path, first in CI (its own Playwright project, which the others wait for):
// the README's first command (`npm run up`) with a state dir that does not exist yet, an
// empty database and an instance of its own; sign in, type a sentence, Launch, and the
// remote screen shows real pixels read from its canvas within 60 s. Then terminate: nothing
// of it is left. This is the run that failed on a brand-new machine (guacd could not enter
// the state dir's display folder) while every other test passed on older state.
const PORT = 3200;
const BASE = `http://127.0.0.1:${PORT}`;
let stack: OwnStack | undefined;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  stack = await startOwnStack({ name: 'fr', port: PORT, readyUrl: `${BASE}/signin` });
});

test.afterAll(async () => {
  await stack?.stop();
});

test('a newcomer: npm run up on a fresh state dir, a sentence, and the desktop shows within 60 s', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.goto(`${BASE}/`);
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, stack!.admin.email, stack!.admin.password, null);
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
  const { stateDir, instance } = stack!;
  // The folders guacd passes through on its way to the socket: made passable, never listable.
  for (const dir of [stateDir, path.join(stateDir, 'displays')]) expect(((await fs.stat(dir)).mode & 0o777).toString(8)).toBe('711');

  await terminateInView(view);
  const label = [`genos.instance=${instance}`];
  await expect.poll(async () => (await docker.listContainers({ all: true, filters: { label } })).length).toBe(0);
  expect((await docker.listNetworks({ filters: { label } })).map((n) => n.Name)).toEqual([]);
  await expect(fs.stat(path.join(stateDir, 'displays', envId))).rejects.toThrow();
  await expect(fs.stat(path.join(stateDir, 'transfer', envId))).rejects.toThrow();
});
