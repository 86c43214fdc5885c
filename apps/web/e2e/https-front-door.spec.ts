import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser } from '@playwright/test';
import { composeAndLaunch, litShare, signIn, terminateInView } from './helpers';
import { startOwnStack, type OwnStack } from './own-stack';

// Production's front door: `npm run up` with GENOS_PUBLIC_URL=https://localhost:…
// puts Caddy in front, with a certificate from its local CA. A browser that
// trusts that CA (through its own NSS database, as a user would import it)
// signs in, launches a desktop and sees it stream over wss://; plain HTTP is
// redirected; the session cookie is Secure. A browser that does not trust the
// CA is refused, so the trust is what makes it work.
const PORT = 3210;
const HTTPS_PORT = 3443;
const HTTP_PORT = 3280;
const ORIGIN = `https://localhost:${HTTPS_PORT}`;
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
let stack: OwnStack | undefined;
let caPath = '';
let browserHome = '';
let browser: Browser | undefined;

/** HTTPS status with only the local CA trusted (0 until Caddy has its certificate). */
const statusWithCa = (url: string) =>
  new Promise<number>((resolve) => {
    if (!caPath || !fs.existsSync(caPath)) return resolve(0);
    https.get(url, { ca: fs.readFileSync(caPath) }, (r) => (r.resume(), resolve(r.statusCode ?? 0))).on('error', () => resolve(0));
  });

test.beforeAll(async () => {
  test.setTimeout(600_000);
  stack = await startOwnStack({
    name: 'tls',
    port: PORT,
    readyUrl: `${ORIGIN}/signin`,
    env: { GENOS_PUBLIC_URL: ORIGIN, GENOS_HTTP_PORT: String(HTTP_PORT) },
    // Ready once Caddy answers with a certificate from the CA the stack printed.
    fetchReady: (url, output) => {
      caPath ||= /local CA root \(give it to browsers, or curl --cacert\): (\S+)/.exec(output)?.[1] ?? '';
      return statusWithCa(url);
    },
  });
  // The CA the stack printed, imported into a browser profile's NSS database.
  browserHome = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-tls-browser-'));
  const nss = path.join(browserHome, '.pki', 'nssdb');
  fs.mkdirSync(nss, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nss}`, '-A', '-t', 'C,,', '-n', 'GenOS local CA', '-i', caPath]);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs, env: { ...process.env, HOME: browserHome } });
});

test.afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (browserHome) fs.rmSync(browserHome, { recursive: true, force: true });
});

// eslint-disable-next-line no-empty-pattern -- Playwright wants the fixtures argument destructured; this test uses its own browser.
test('over https through Caddy: sign in, launch, and the desktop streams over wss://', async ({}, testInfo) => {
  test.setTimeout(240_000);
  // Plain HTTP answers with a redirect to the HTTPS origin, and HTTPS carries HSTS.
  const redirect = await fetch(`http://localhost:${HTTP_PORT}/signin?from=http`, { redirect: 'manual' });
  expect(redirect.status).toBe(308);
  expect(redirect.headers.get('location')).toBe(`${ORIGIN}/signin?from=http`);

  const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const first = await page.goto(`${ORIGIN}/signin`);
  expect(first?.status()).toBe(200);
  expect(await first?.headerValue('strict-transport-security')).toMatch(/max-age=31536000/);
  await signIn(page, stack!.admin.email, stack!.admin.password, null);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  const session = (await context.cookies()).find((c) => c.name.includes('session-token'));
  expect(session, 'a session cookie').toBeDefined();
  expect(session).toMatchObject({ secure: true, httpOnly: true });
  expect(session!.name.startsWith('__Secure-')).toBe(true);

  await composeAndLaunch(page, 'a Linux desktop with a terminal');
  const display = page.getByTestId('remote-display');
  await expect.poll(() => litShare(display).catch(() => 0), { timeout: 90_000, intervals: [250] }).toBeGreaterThan(0.05);
  expect(sockets.filter((u) => u.includes('/tunnel'))).not.toHaveLength(0);
  for (const u of sockets.filter((s) => s.includes('/tunnel'))) expect(u.startsWith(`wss://localhost:${HTTPS_PORT}/tunnel`)).toBe(true);
  await testInfo.attach('desktop-over-https', { body: await page.screenshot(), contentType: 'image/png' });
  await terminateInView(page.getByTestId('environment-view'));
  await context.close();
});

test('a browser that does not trust the local CA is refused', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-untrusting-'));
  const untrusting = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs, env: { ...process.env, HOME: home } });
  try {
    const page = await untrusting.newPage();
    await expect(page.goto(`${ORIGIN}/signin`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await untrusting.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
