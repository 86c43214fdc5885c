import { expect, test } from '@playwright/test';
import { createUser, docker, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

const EMAIL = 'e2e-live@genos.test';
const PASSWORD = 'e2e-live-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

// Only after a failure: remove what a half-finished run left (see sentence-to-desktop.spec.ts).
// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

test('the environment view follows the state over server-sent events, not by polling', async ({ page }) => {
  // Every tRPC call the page makes: batched calls name their procedures in the path.
  const calls: { procedures: string[]; accept: string | null }[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!url.pathname.startsWith('/api/trpc/')) return;
    calls.push({ procedures: url.pathname.slice('/api/trpc/'.length).split(','), accept: req.headers()['accept'] ?? null });
  });
  const callsOf = (procedure: string) => calls.filter((c) => c.procedures.includes(procedure));

  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, EMAIL, PASSWORD, null);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  await page.getByLabel('Describe the environment you need').fill('I need a Linux desktop with xterm');
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await card.getByRole('button', { name: 'Launch' }).click();

  const view = page.getByTestId('environment-view');
  await expect(view).toBeVisible();
  const envId = await view.getAttribute('data-env-id');
  expect(envId).toBeTruthy();
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });

  // One initial read; the changes (requested → provisioning → running) came over the event stream.
  expect(callsOf('environments.get')).toHaveLength(1);
  const streams = callsOf('environments.onChange');
  expect(streams.length).toBeGreaterThanOrEqual(1);
  expect(streams[0]!.accept).toContain('text/event-stream');
  await expect(view.getByTestId('host-lost')).toHaveCount(0);

  await terminateInView(view);
  expect(callsOf('environments.get')).toHaveLength(1);
  await expect(docker.getContainer(`genos-env-${envId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
});
