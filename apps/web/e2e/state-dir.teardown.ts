import path from 'node:path';
import { removeStateDir, TEST_STATE_ROOT } from '@genos/db/testing';

/**
 * Playwright globalTeardown: removes the state dir playwright.config.ts made for the stack under
 * test (E2E_STATE_DIR). Only a folder under TEST_STATE_ROOT: a state dir given from outside is
 * not this run's to remove. Runs before Playwright stops the web server; the specs have ended
 * their desktops by then, so nothing writes there any more.
 */
export default async function removeE2eStateDir(): Promise<void> {
  const dir = process.env.E2E_STATE_DIR;
  if (!dir || path.dirname(path.resolve(dir)) !== path.resolve(TEST_STATE_ROOT)) return;
  await removeStateDir(dir);
}
