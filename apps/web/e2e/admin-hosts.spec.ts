import { expect, test } from '@playwright/test';
import { createAdmin, openSignedIn } from './helpers';

// The Hosts page as an admin sees it: the suite's worker host says it is ready
// (from the worker's own check of its database, queue, guacd and Docker, every
// part named on hover) and draws its use from the samples the worker keeps.
const ADMIN = { email: 'e2e-hosts-admin@genos.test', password: 'e2e-hosts-password-1' };

test.beforeAll(async () => {
  await createAdmin(ADMIN.email, ADMIN.password);
});

test("the Hosts page shows the worker host's readiness and a chart of its use", async ({ browser }) => {
  const page = await openSignedIn(browser, ADMIN);
  await page.goto('/admin/hosts');
  const row = page.getByTestId('host-row').first();
  await expect(row).toHaveAttribute('data-health', 'healthy');
  const health = row.getByTestId('host-health');
  await expect(health).toHaveText('ready');
  for (const part of ['database', 'queue', 'guacd', 'docker']) await expect(health).toHaveAttribute('title', new RegExp(`${part}: up, \\d+ ms`));
  const chart = row.getByTestId('host-usage-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(chart).toHaveAttribute('aria-label', /Use over the last 6 h: now [\d.]+ of [\d.]+ vCPU/);
  await expect(chart.locator('polyline[data-series="cpu"]')).toHaveCount(1);
});
