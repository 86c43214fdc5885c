import { expect, test } from '@playwright/test';
import { createPrismaClient } from '@genos/db';
import { OIDC_ACCOUNT, OIDC_NAME } from './oidc-fixture';

test.beforeAll(async () => {
  // A first sign-in: no account for this person yet (also after an earlier run).
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    await prisma.user.deleteMany({ where: { OR: [{ email: OIDC_ACCOUNT.email }, { oidcSubject: OIDC_ACCOUNT.sub }] } });
  } finally {
    await prisma.$disconnect();
  }
});

// The provider is a real node-oidc-provider started by oidc-provider.setup.ts (globalSetup);
// the web server gets GENOS_OIDC_* pointing at it from playwright.config.ts.
test('signing in through the OIDC provider creates the account in the default team and a session', async ({ page }) => {
  await page.goto('/signin');
  await page.getByRole('button', { name: `Continue with ${OIDC_NAME}` }).click();

  // The provider's own (development) login and consent pages.
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/interaction\//);
  await page.locator('input[name="login"]').fill(OIDC_ACCOUNT.login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await expect(page.locator('header')).toContainText(OIDC_ACCOUNT.email);

  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    const user = await prisma.user.findUniqueOrThrow({ where: { email: OIDC_ACCOUNT.email }, include: { memberships: { include: { team: true } }, sessions: true } });
    expect(user).toMatchObject({ oidcSubject: OIDC_ACCOUNT.sub, role: 'user', passwordHash: null });
    expect(user.memberships.map((m) => [m.team.slug, m.role])).toEqual([['default', 'member']]);
    expect(user.sessions.filter((s) => s.method === 'oidc' && !s.revokedAt)).toHaveLength(1);
  } finally {
    await prisma.$disconnect();
  }

  await page.goto('/settings/security');
  await expect(page.locator('[data-testid="session-row"][data-current="true"]')).toContainText('single sign-on');
});
