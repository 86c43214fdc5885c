import { expect, test, type Page } from '@playwright/test';
import { generate } from 'otplib';
import { createPrismaClient } from '@genos/db';
import { createUser, signIn } from './helpers';

const EMAIL = 'e2e-totp@genos.test';
const PASSWORD = 'e2e-totp-password-1234';
const OTHER = 'e2e-sessions@genos.test';

/** The code for the 30-second step `steps` away from now (±1 is accepted; a step is good once). */
const codeFor = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

async function withDb<T>(fn: (prisma: ReturnType<typeof createPrismaClient>) => Promise<T>): Promise<T> {
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    return await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

async function passwordStep(page: Page, email: string, password: string) {
  await signIn(page, email, password);
}

async function signOut(page: Page) {
  await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
}

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
  await createUser(OTHER, PASSWORD);
  // A clean slate if an earlier run left TOTP on or the account locked.
  await withDb((p) => p.user.updateMany({ where: { email: { in: [EMAIL, OTHER] } }, data: { totpEnabled: false, totpSecret: null, recoveryCodes: [], failedSignIns: 0, lockedUntil: null } }));
  await withDb((p) => p.session.updateMany({ where: { user: { email: { in: [EMAIL, OTHER] } }, revokedAt: null }, data: { revokedAt: new Date() } }));
});

test('a user turns on TOTP, then signs in with password + code; a wrong code is refused; a recovery code works once', async ({ page }) => {
  await passwordStep(page, EMAIL, PASSWORD);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  // Enrol: QR code and manual key, confirmed with a code computed from the key on the page.
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toHaveAttribute('src', /^data:image\/png;base64,/);
  const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret'))!;
  expect((await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '')).toBe(secret);
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('That code is not valid')).toBeVisible();
  await page.getByLabel('Code from the app').fill(await codeFor(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('recovery-code')).toHaveCount(10);
  const codes = await page.getByTestId('recovery-code').allTextContents();
  expect(codes).toHaveLength(10);
  await page.getByRole('button', { name: 'I saved them' }).click();
  await expect(page.getByTestId('totp-section')).toHaveAttribute('data-enabled', 'true');
  await expect(page.getByTestId('totp-section')).toContainText('10 recovery codes left');
  await signOut(page);

  // Password, then the code step. A wrong code first.
  await passwordStep(page, EMAIL, PASSWORD);
  await expect(page.getByText('Enter the 6-digit code from your authenticator app')).toBeVisible();
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not valid. Try the current code or a recovery code.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeHidden();
  // The next step's code (the current one was used to turn TOTP on).
  await page.getByLabel('Authentication code').fill(await codeFor(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await signOut(page);

  // A recovery code instead of the app's code: works once.
  await passwordStep(page, EMAIL, PASSWORD);
  await page.getByLabel('Authentication code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await page.goto('/settings/security');
  await expect(page.getByTestId('totp-section')).toContainText('9 recovery codes left');
  await signOut(page);
  await passwordStep(page, EMAIL, PASSWORD);
  await page.getByLabel('Authentication code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not valid')).toBeVisible();

  const audit = await withDb((p) => p.auditLog.findMany({ where: { action: { startsWith: 'auth.' }, targetId: { not: null } }, select: { action: true } }));
  const actions = audit.map((a) => a.action);
  for (const a of ['auth.totp.enrol', 'auth.totp.enrol.failure', 'auth.signin.success', 'auth.signin.failure', 'auth.recovery-code.used']) expect(actions).toContain(a);
});

test('sessions are listed, and one signed out from another browser stops working on its next request', async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  for (const p of [a, b]) {
    await passwordStep(p, OTHER, PASSWORD);
    await expect(p.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  }
  await a.goto('/settings/security');
  const rows = a.getByTestId('session-row');
  await expect(rows).toHaveCount(2);
  await expect(a.locator('[data-testid="session-row"][data-current="true"]')).toContainText('this session');
  await a.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-current', 'true');

  // The other browser's cookie is still there, but the session behind it is not.
  await b.goto('/');
  await expect(b).toHaveURL(/\/signin/);
  // The first browser is unaffected.
  await a.goto('/');
  await expect(a.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await first.close();
  await second.close();
});
