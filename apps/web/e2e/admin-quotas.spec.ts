import { expect, test } from '@playwright/test';
import { createAdmin, createUser, docker, openSignedIn, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, terminateInView } from './helpers';

// An admin lowers a user's quota to one environment on the Quotas page; the user,
// who already has one, is refused a second with a message naming the limit.
const ADMIN = { email: 'e2e-quota-admin@genos.test', password: 'e2e-admin-password-1' };
const USER = { email: 'e2e-quota-user@genos.test', password: 'e2e-user-password-1' };

test.beforeAll(async () => {
  await createAdmin(ADMIN.email, ADMIN.password);
  await createUser(USER.email, USER.password);
});

// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

test('an admin lowers a quota to 1 environment and the user is refused a second one with the limit named', async ({ browser }) => {
  const user = await openSignedIn(browser, USER);
  // Not an admin: the admin pages answer 403.
  await user.goto('/admin/quotas');
  await expect(user.getByTestId('admin-forbidden')).toContainText('403');
  await expect(user.getByRole('link', { name: 'Admin' })).toHaveCount(0);

  // The user's first environment, from the chat.
  await user.goto('/');
  await user.getByLabel('Describe the environment you need').fill('a desktop with xterm');
  await user.getByRole('button', { name: 'Send' }).click();
  await expect(user.getByTestId('spec-card')).toHaveAttribute('data-status', 'ok');
  await user.getByTestId('spec-card').getByRole('button', { name: 'Launch' }).click();
  const view = user.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', /requested|provisioning|running/);

  // The admin sets the user's quota to one environment.
  const admin = await openSignedIn(browser, ADMIN);
  await admin.getByRole('link', { name: 'Admin' }).click();
  await expect(admin.getByRole('heading', { name: 'Quotas', exact: true })).toBeVisible();
  await expect(admin.getByTestId('quota-defaults')).toContainText('5');
  await admin.getByLabel('Scope').selectOption('user');
  await admin.getByLabel('Subject').selectOption({ label: USER.email });
  await admin.getByLabel('Max environments').fill('1');
  await admin.getByLabel('Priority (0–100)').fill('10');
  await admin.getByRole('button', { name: 'Save quota' }).click();
  await expect(admin.getByTestId('quota-message')).toHaveText('Saved: user quota allows 1 environment.');
  const row = admin.getByTestId('quota-row').filter({ hasText: USER.email });
  await expect(row).toBeVisible();
  await expect(row.locator('td').nth(2)).toHaveText('1');

  // The audit log shows the change with who made it.
  await admin.getByRole('link', { name: 'Audit log' }).click();
  await admin.getByLabel('Action').fill('quota.');
  await admin.getByRole('button', { name: 'Filter' }).click();
  await expect(admin.getByTestId('audit-row').first()).toContainText(ADMIN.email);
  await expect(admin.getByTestId('audit-row').first()).toContainText('quota.set');

  // The user asks for a second one: refused, the message names the limit.
  await user.goto('/');
  await user.getByLabel('Describe the environment you need').fill('another desktop with xterm');
  await user.getByRole('button', { name: 'Send' }).click();
  await expect(user.getByTestId('spec-card').last()).toHaveAttribute('data-status', 'ok');
  await user.getByTestId('spec-card').last().getByRole('button', { name: 'Launch' }).click();
  await expect(user.getByTestId('chat-error').last()).toHaveText('your quota allows 1 environment at once: 1 is already live; terminate one first');

  // Clean up: the first environment ends and its container goes.
  await user.goto('/environments');
  await user.getByTestId('environment-list').getByRole('link').first().click();
  const envId = await user.getByTestId('environment-view').getAttribute('data-env-id');
  await terminateInView(user.getByTestId('environment-view'), 120_000);
  await expect(docker.getContainer(`genos-env-${envId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
});
