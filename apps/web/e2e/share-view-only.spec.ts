import { expect, test, type Page } from '@playwright/test';
import { changedShare, createUser, nonBackgroundShare, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

const EMAIL = 'e2e-share-owner@genos.test';
const PASSWORD = 'e2e-share-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

// Only after a failure: remove what a half-finished run left (see sentence-to-desktop.spec.ts).
// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

async function launchDesktop(page: Page) {
  await signIn(page, EMAIL, PASSWORD);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await page.getByLabel('Describe the environment you need').fill('I need a Linux desktop with xterm');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await card.getByRole('button', { name: 'Launch' }).click();
  const view = page.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  return view;
}

test('a view-only link shows the desktop to a second browser, ignores its input, and stops working when revoked', async ({ page, browser }, testInfo) => {
  const view = await launchDesktop(page);
  const ownerDisplay = page.getByTestId('remote-display');
  await expect(ownerDisplay).toHaveAttribute('data-status', 'connected');
  await expect.poll(async () => nonBackgroundShare(await ownerDisplay.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);

  // The owner makes a view-only link; it is shown once.
  const share = view.getByTestId('share-panel');
  await share.getByLabel('Share mode').selectOption('view');
  await share.getByRole('button', { name: 'Create link' }).click();
  const link = await share.getByTestId('share-link').inputValue();
  expect(link).toMatch(/\/share\/[A-Za-z0-9_-]{20,}$/);

  // A second browser, not signed in, opens it and sees the desktop.
  const visitor = await browser.newContext();
  const guest = await visitor.newPage();
  await guest.goto(link);
  await expect(guest.getByTestId('share-view')).toHaveAttribute('data-mode', 'view');
  const guestDisplay = guest.getByTestId('remote-display');
  await expect(guestDisplay).toHaveAttribute('data-status', 'connected');
  await expect.poll(async () => nonBackgroundShare(await guestDisplay.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);

  // It clicks into the xterm and types a command: nothing changes, on either screen.
  await guestDisplay.click({ position: { x: 120, y: 120 } });
  await guest.waitForTimeout(500);
  const guestBefore = await guestDisplay.screenshot();
  const ownerBefore = await ownerDisplay.screenshot();
  await guest.keyboard.type('seq 1 40');
  await guest.keyboard.press('Enter');
  await guestDisplay.click({ position: { x: 120, y: 120 } });
  await guest.waitForTimeout(3000);
  const guestAfter = await guestDisplay.screenshot();
  await testInfo.attach('viewer-after-typing', { body: guestAfter, contentType: 'image/png' });
  expect(changedShare(guestBefore, guestAfter)).toBeLessThan(0.001);
  expect(changedShare(ownerBefore, await ownerDisplay.screenshot())).toBeLessThan(0.001);

  // The owner's typing does reach the desktop, and the viewer watches it happen.
  await ownerDisplay.click({ position: { x: 120, y: 120 } });
  await page.keyboard.type('seq 1 40');
  await page.keyboard.press('Enter');
  await expect.poll(async () => changedShare(guestAfter, await guestDisplay.screenshot()), { timeout: 15_000 }).toBeGreaterThan(0.002);

  // Revoked: the link now says so (and never reaches the desktop).
  await share.getByTestId('share-link-row').getByRole('button', { name: 'Revoke' }).click();
  await expect(share.getByTestId('share-link-row')).toHaveCount(0);
  await guest.goto(link);
  await expect(guest.getByTestId('share-message')).toContainText('This share link was revoked by the desktop owner.');
  await expect(guest.getByTestId('remote-display')).toHaveCount(0);
  await visitor.close();

  await terminateInView(view);
});
