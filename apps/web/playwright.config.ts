import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { TEST_INSTANCE_PREFIX, TEST_STATE_ROOT } from '@genos/db/testing';
import { OIDC_CLIENT, OIDC_NAME, oidcPort } from './e2e/oidc-fixture';

// Debian's Chromium: Playwright cannot download its own browsers here.
const PORT = Number(process.env.E2E_PORT ?? 3100);

// The stack under test gets an instance and a state dir of this run's own, never a former run's:
// E2E_INSTANCE (default t-e2e-<random>, which the leftovers check recognises) and a new folder under
// TEST_STATE_ROOT, removed by e2e/state-dir.teardown.ts. Set in process.env once, by the first load
// of this file: the test workers load it again and inherit them, so e2e/helpers.ts sees the same.
const E2E_INSTANCE = (process.env.E2E_INSTANCE ||= `${TEST_INSTANCE_PREFIX}e2e-${randomBytes(3).toString('hex')}`);
const E2E_STATE_DIR = (process.env.E2E_STATE_DIR ||= (() => {
  mkdirSync(TEST_STATE_ROOT, { recursive: true, mode: 0o711 });
  chmodSync(TEST_STATE_ROOT, 0o711);
  return mkdtempSync(path.join(TEST_STATE_ROOT, `${E2E_INSTANCE}-`));
})());

export default defineConfig({
  testDir: './e2e',
  // A local OpenID Connect provider for oidc-signin.spec.ts (the web server below points at it).
  globalSetup: './e2e/oidc-provider.setup.ts',
  // Removes the stack's state dir (E2E_STATE_DIR) at the end.
  globalTeardown: './e2e/state-dir.teardown.ts',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: '../../test-results/e2e',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1500, height: 1100 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  // The newcomer's path runs first, on a stack of its own (`npm run up`, fresh state dir);
  // everything else waits for it, so a broken first run fails the suite at its start.
  projects: [
    { name: 'first-run', testMatch: /first-run\.spec\.ts$/ },
    { name: 'e2e', testIgnore: /first-run\.spec\.ts$/, dependencies: ['first-run'] },
  ],
  webServer: {
    command: 'bash ../../scripts/run-stack.sh',
    // Our own stop: run-stack.sh stops the worker and web app (and their children) on SIGTERM.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    url: `http://127.0.0.1:${PORT}/signin`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      // E2E_INSTANCE: a run of its own beside another one on the same Docker engine (default t-e2e-<random>, above).
      GENOS_INSTANCE: E2E_INSTANCE,
      GENOS_STATE_DIR: E2E_STATE_DIR,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      GENOS_OIDC_ISSUER: `http://127.0.0.1:${oidcPort()}`,
      GENOS_OIDC_CLIENT_ID: OIDC_CLIENT.id,
      GENOS_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      GENOS_OIDC_NAME: OIDC_NAME,
    },
  },
});
