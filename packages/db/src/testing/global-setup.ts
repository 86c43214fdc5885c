// vitest globalSetup for integration tests: make sure PostgreSQL runs
// (DATABASE_URL, or the embedded server started detached), expose its URL to
// the test workers, clean up databases of crashed runs, and build the
// migrated template once so the first createTestDatabase() is fast.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensurePostgres } from '../embedded/ensure-postgres.ts';
import { ensureKeyringFile } from '../keys/file-keyring.ts';
import { dropStaleTestDatabases } from './drop-stale-test-databases.ts';
import { ensureTemplateDatabase } from './template-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    DATABASE_URL: string;
  }
}

const KEY_DIR_PREFIX = 'genos-test-kek-';

async function removeStaleKeyDirs(): Promise<void> {
  for (const name of await fs.readdir(os.tmpdir())) {
    const pid = Number(/^genos-test-kek-(\d+)-/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await fs.rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export default async function setup(project?: TestProject): Promise<() => Promise<void>> {
  const { url } = await ensurePostgres();
  // Tests seal secrets with a key file of their own, never the deployment's (GENOS_KEK_FILE);
  // the folder carries our pid, so a run killed before its teardown is cleaned by the next one.
  await removeStaleKeyDirs();
  const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), `${KEY_DIR_PREFIX}${process.pid}-`));
  process.env.GENOS_KEK_FILE = path.join(keyDir, 'kek.json');
  await ensureKeyringFile(process.env.GENOS_KEK_FILE);
  // Workers are started after global setup and inherit this environment.
  process.env.DATABASE_URL = url;
  project?.provide('DATABASE_URL', url);
  await dropStaleTestDatabases(url);
  await ensureTemplateDatabase(url);
  return () => fs.rm(keyDir, { recursive: true, force: true });
}
