// vitest globalSetup for integration tests: make sure PostgreSQL runs
// (DATABASE_URL, or the embedded server started detached), expose its URL to
// the test workers, clean up databases of crashed runs, and build the
// migrated template once so the first createTestDatabase() is fast.
import type { TestProject } from 'vitest/node';
import { ensurePostgres } from '../embedded/ensure-postgres.ts';
import { dropStaleTestDatabases } from './drop-stale-test-databases.ts';
import { ensureTemplateDatabase } from './template-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    DATABASE_URL: string;
  }
}

export default async function setup(project?: TestProject): Promise<void> {
  const { url } = await ensurePostgres();
  // Workers are started after global setup and inherit this environment.
  process.env.DATABASE_URL = url;
  project?.provide('DATABASE_URL', url);
  await dropStaleTestDatabases(url);
  await ensureTemplateDatabase(url);
}
