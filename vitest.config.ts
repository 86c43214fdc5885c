import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and integration tests that
// talk to the real PostgreSQL, Docker and guacd that scripts/setup.sh started.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{apps,packages}/**/src/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.final.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{apps,packages}/**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/db/src/testing/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // Docker and guacd are shared host resources; keep files sequential.
          fileParallelism: false,
        },
      },
      {
        // Runs last, after the e2e suite: proves nothing was left behind.
        test: { name: 'final', include: ['{apps,packages}/**/*.final.test.ts'], exclude: ['**/node_modules/**'] },
      },
    ],
  },
});
