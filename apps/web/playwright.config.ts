import { defineConfig } from '@playwright/test';
import { OIDC_CLIENT, OIDC_NAME, oidcPort } from './e2e/oidc-fixture';

// Debian's Chromium: Playwright cannot download its own browsers here.
const PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: './e2e',
  // A local OpenID Connect provider for oidc-signin.spec.ts (the web server below points at it).
  globalSetup: './e2e/oidc-provider.setup.ts',
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
  webServer: {
    command: 'bash ../../scripts/run-stack.sh',
    url: `http://127.0.0.1:${PORT}/signin`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      // E2E_INSTANCE: a run of its own beside another one on the same Docker engine (default 'test').
      GENOS_INSTANCE: process.env.E2E_INSTANCE ?? 'test',
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      GENOS_OIDC_ISSUER: `http://127.0.0.1:${oidcPort()}`,
      GENOS_OIDC_CLIENT_ID: OIDC_CLIENT.id,
      GENOS_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      GENOS_OIDC_NAME: OIDC_NAME,
    },
  },
});
