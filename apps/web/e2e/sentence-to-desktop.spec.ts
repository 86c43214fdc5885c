import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { changedShare, createUser, docker, existsInDesktop, nonBackgroundShare, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

const EMAIL = 'e2e-user@genos.test';
const PASSWORD = 'e2e-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

// Only after a failure: remove what a half-finished run left, so one failure
// does not cascade. A passing run must clean up by itself (the leftovers check).
// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

test('a sentence becomes a live desktop, takes keyboard input, and is removed on terminate', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, EMAIL, PASSWORD, null);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  await page.getByLabel('Describe the environment you need').fill('I need a Linux desktop with xterm');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('spec-apps')).toHaveText('xterm');
  await expect(card.getByTestId('spec-network')).toHaveText('none');
  await expect(card.getByTestId('spec-assumptions')).toContainText('No network');

  await card.getByRole('button', { name: 'Launch' }).click();
  const view = page.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  const envId = await view.getAttribute('data-env-id');
  expect(envId).toBeTruthy();

  const display = page.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected');
  const canvas = display.locator('canvas').first();
  await expect(canvas).toBeVisible();

  // A real desktop: an xterm window on a background covers a good part of the frame, not uniform pixels.
  await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);

  // Click into the xterm (openbox places it at the top left) and type a command.
  await display.click({ position: { x: 120, y: 120 } });
  await page.waitForTimeout(300);
  const before = await display.screenshot();
  await testInfo.attach('desktop-before-typing', { body: before, contentType: 'image/png' });
  // Forty lines of output change far more pixels (~0.4%) than a blinking cursor (<0.01%).
  await page.keyboard.type('seq 1 40');
  await page.keyboard.press('Enter');
  await expect.poll(async () => changedShare(before, await display.screenshot()), { timeout: 15_000 }).toBeGreaterThan(0.002);

  await testInfo.attach('desktop-after-typing', { body: await display.screenshot(), contentType: 'image/png' });
  const container = `genos-env-${envId}`;
  expect((await docker.getContainer(container).inspect()).State.Running).toBe(true);

  await terminateInView(view);
  await expect(docker.getContainer(container).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test('a desktop asked for over RDP streams through guacd RDP and takes typed commands', async ({ page }) => {
  await signIn(page, EMAIL, PASSWORD);
  await page.getByLabel('Describe the environment you need').fill('a linux desktop with xterm over RDP');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('spec-display')).toHaveText(/^RDP /);

  await card.getByRole('button', { name: 'Launch' }).click();
  const view = page.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  const envId = (await view.getAttribute('data-env-id'))!;
  const container = `genos-env-${envId}`;
  const display = page.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected');
  await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);

  // Keys from the browser go through guacd's RDP plugin and xrdp to the xterm: the command runs inside.
  await display.click({ position: { x: 120, y: 120 } });
  await page.waitForTimeout(300);
  await page.keyboard.type('touch /tmp/typed-in-browser-over-rdp');
  await page.keyboard.press('Enter');
  await expect.poll(() => existsInDesktop(envId, '/tmp/typed-in-browser-over-rdp'), { timeout: 15_000 }).toBe(true);
  expect((await docker.getContainer(container).inspect()).Config.Env).toContain('GENOS_PROTOCOL=rdp');

  await terminateInView(view);
  await expect(docker.getContainer(container).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test('a sentence asking for a virtual machine becomes a live VM desktop (libvirt), and terminate removes the domain', async ({ page }) => {
  await signIn(page, EMAIL, PASSWORD);
  await page.getByLabel('Describe the environment you need').fill('a debian virtual machine with xterm');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('spec-system')).toContainText('· vm ·');

  await card.getByRole('button', { name: 'Launch' }).click();
  const view = page.getByTestId('environment-view');
  // Cold boot of a cached VM image; on hosts without usable KVM this is QEMU's emulation (~20 s).
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 240_000 });
  const domain = `genos-vm-${await view.getAttribute('data-env-id')}`;
  expect(execFileSync('virsh', ['-c', 'qemu:///system', 'domstate', domain], { encoding: 'utf8' }).trim()).toBe('running');
  const display = page.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected');
  await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 60_000 }).toBeGreaterThan(0.1);

  // Keys reach the VM's xterm: forty lines of output change the picture.
  await display.click({ position: { x: 120, y: 120 } });
  await page.waitForTimeout(500);
  const before = await display.screenshot();
  await page.keyboard.type('seq 1 40');
  await page.keyboard.press('Enter');
  await expect.poll(async () => changedShare(before, await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.002);

  await terminateInView(view);
  expect(() => execFileSync('virsh', ['-c', 'qemu:///system', 'domstate', domain], { stdio: 'pipe' })).toThrow();
});
