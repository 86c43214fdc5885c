import { expect, test } from '@playwright/test';
import { createPrismaClient } from '@genos/db';
import { createUser, docker, nonBackgroundShare, openSignedIn, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, terminateInView } from './helpers';

// An admin adds a Debian package the built-in catalog does not have (dclock, a
// small X clock), builds its image watching the live log reach "ready"; a user
// then asks for it in the chat and gets a desktop with its window on screen.
const ADMIN = { email: 'e2e-catalog-admin@genos.test', password: 'e2e-admin-password-2' };
const USER = { email: 'e2e-catalog-user@genos.test', password: 'e2e-user-password-2' };
const APP = { id: 'dclock', name: 'Dclock', command: 'dclock -geometry 900x400+0+0' };

test.beforeAll(async () => {
  await createUser(ADMIN.email, ADMIN.password);
  await createUser(USER.email, USER.password);
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    await prisma.user.update({ where: { email: ADMIN.email }, data: { role: 'admin' } });
    await prisma.catalogApp.deleteMany({ where: { id: APP.id, source: 'admin' } });
  } finally {
    await prisma.$disconnect();
  }
});

// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

test('an admin adds an application, builds its image with a live log, and a user gets it on a desktop', async ({ browser }, testInfo) => {
  const admin = await openSignedIn(browser, ADMIN);
  await admin.goto('/admin/catalog');
  await expect(admin.getByRole('heading', { name: 'Applications', exact: true })).toBeVisible();
  // A bad package name is refused with the reason, nothing added.
  await admin.getByLabel('Debian package').fill('Not A Package');
  await admin.getByLabel('Name').fill(APP.name);
  await admin.getByLabel('Command').fill(APP.command);
  await admin.getByRole('button', { name: 'Add application' }).click();
  await expect(admin.getByTestId('catalog-message')).toContainText('Debian package name');

  await admin.getByLabel('Debian package').fill(APP.id);
  await admin.getByLabel('Category').selectOption('utility');
  await admin.getByLabel('Aliases').fill('digital clock');
  await admin.getByRole('button', { name: 'Add application' }).click();
  await expect(admin.getByTestId('catalog-message')).toHaveText(`Added ${APP.name} (${APP.id}).`);
  const row = admin.locator(`[data-testid="catalog-row"][data-app="${APP.id}"]`);
  await expect(row).toContainText('admin');
  await expect(row).toContainText('enabled');

  // Build its image from the catalog: the Images page shows the log as it grows, until ready.
  await row.getByRole('button', { name: 'Build image' }).click();
  await expect(admin).toHaveURL(/\/admin\/images\?image=/);
  const detail = admin.getByTestId('image-detail');
  const log = admin.getByTestId('build-log');
  await expect(log).toContainText(`${APP.id}`, { timeout: 60_000 });
  await expect(log).toContainText(/genos\/desktop-apps:[0-9a-f]{16} v1: dclock/, { timeout: 60_000 });
  await expect(detail).toHaveAttribute('data-status', 'ready', { timeout: 600_000 });
  await expect(log).toContainText('build finished: ready');
  await testInfo.attach('build-log', { body: (await log.textContent()) ?? '', contentType: 'text/plain' });
  await expect(admin.locator('[data-testid="image-row"][data-status="ready"]').filter({ hasText: APP.id })).toBeVisible();

  // A user asks for it in plain words.
  const user = await openSignedIn(browser, USER);
  await user.getByLabel('Describe the environment you need').fill(`a desktop with ${APP.id}`);
  await user.getByRole('button', { name: 'Send' }).click();
  const card = user.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('spec-apps')).toHaveText(APP.id);
  await card.getByRole('button', { name: 'Launch' }).click();
  const view = user.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 240_000 });
  const envId = await view.getAttribute('data-env-id');
  const display = user.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected');
  await expect(display.locator('canvas').first()).toBeVisible();

  // The app runs in the sandbox with its window mapped, and the desktop shows it.
  const container = docker.getContainer(`genos-env-${envId}`);
  const windows = async () => {
    const exec = await container.exec({ Cmd: ['sh', '-c', 'DISPLAY=:0 xwininfo -root -tree'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve());
    });
    return Buffer.concat(chunks).toString('latin1');
  };
  await expect.poll(windows, { timeout: 30_000 }).toMatch(/dclock/i);
  await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);
  await testInfo.attach('desktop-with-app', { body: await display.screenshot(), contentType: 'image/png' });

  // The admin sees it among active sessions, with its owner.
  await admin.goto('/admin/sessions');
  await expect(admin.locator(`[data-testid="session-row"][data-env-id="${envId}"]`)).toContainText(USER.email);

  await terminateInView(view);
  await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
});
