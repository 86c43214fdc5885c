// Offline migrations through the WASM schema engine, against a real server
// (DATABASE_URL from the global setup in src/testing/global-setup.ts).
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, schemaPath } from '../paths.ts';
import { quoteIdent, withAdminClient } from '../testing/admin-connection.ts';
import { applyMigrations } from './apply-migrations.ts';
import { createMigration } from './create-migration.ts';
import { withDatabase } from './migration-adapter.ts';

const serverUrl = process.env.DATABASE_URL!;
const cleanups: Array<() => Promise<void>> = [];

/** An empty database (no template), dropped after the file. */
async function emptyDatabase(): Promise<string> {
  const name = `genos_test_${process.pid}_m${Math.random().toString(16).slice(2, 10)}`;
  await withAdminClient(serverUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  cleanups.push(() => withAdminClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => {}));
  return withDatabase(serverUrl, name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'genos-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

beforeAll(() => {
  expect(serverUrl, 'DATABASE_URL must be set by the global setup').toBeTruthy();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('applyMigrations', () => {
  it('applies every migration to a fresh database and records it like Prisma', async () => {
    const url = await emptyDatabase();
    const expected = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(expected.length).toBeGreaterThan(0);

    const first = await applyMigrations(url);
    expect(first.appliedMigrationNames).toEqual(expected);

    const tables = (await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename);
    expect(tables).toEqual(expect.arrayContaining(['User', 'Team', 'Membership', 'Environment', 'EnvironmentEvent', 'Image', 'AuditLog', 'ApiToken', '_prisma_migrations']));

    const states = await query<{ enumlabel: string }>(
      url,
      `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'EnvironmentState' ORDER BY e.enumsortorder`,
    );
    expect(states.map((r) => r.enumlabel)).toEqual(['requested', 'provisioning', 'running', 'suspended', 'terminated', 'failed']);

    const history = await query<{ migration_name: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(history.map((r) => r.migration_name)).toEqual(expected);
    expect(history.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
  });

  it('is a no-op the second time', async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    const started = performance.now();
    const second = await applyMigrations(url);
    expect(second.appliedMigrationNames).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    const dirs = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory());
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(rows[0]!.n)).toBe(dirs.length); // no duplicate rows
  });

  it('sends each migration script whole (semicolons inside $$ bodies and strings survive)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '20200101000000_fn'));
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    await writeFile(
      path.join(dir, '20200101000000_fn', 'migration.sql'),
      `CREATE TABLE t (v TEXT DEFAULT 'a;b');
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 2; END $$;`,
    );
    const url = await emptyDatabase();
    expect((await applyMigrations(url, { migrationsDir: dir })).appliedMigrationNames).toEqual(['20200101000000_fn']);
    expect(await query(url, 'SELECT f() AS r')).toEqual([{ r: 2 }]);
  });
});

describe('createMigration', () => {
  it('creates nothing when schema.prisma matches the migrations', async () => {
    // A copy, so a schema change without a migration cannot write into the repo from a test.
    const dir = await tempDir();
    await cp(migrationsDir, dir, { recursive: true });
    const before = await readdir(dir);
    const result = await createMigration({ url: serverUrl, name: 'noop', migrationsDir: dir });
    expect(result, 'schema.prisma has changes without a migration: run `npm run migrate -w @genos/db -- --name ...`').toEqual({
      migrationName: null,
      directory: null,
    });
    expect(await readdir(dir)).toEqual(before);
  });

  it('writes <timestamp>_<name>/migration.sql for a schema change, and it applies', async () => {
    const dir = await tempDir();
    await cp(migrationsDir, dir, { recursive: true });
    const schema = path.join(dir, 'schema.prisma');
    await writeFile(schema, (await readFile(schemaPath, 'utf8')) + '\nmodel Widget {\n  id String @id\n  size Int\n}\n');

    const result = await createMigration({ url: serverUrl, name: 'Add widgets!', migrationsDir: dir, schemaPath: schema });
    expect(result.migrationName).toMatch(/^\d{14}_add_widgets$/);
    const sql = await readFile(path.join(result.directory!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "Widget"');

    const url = await emptyDatabase();
    const applied = await applyMigrations(url, { migrationsDir: dir });
    expect(applied.appliedMigrationNames.at(-1)).toBe(result.migrationName);
    // The shadow database used for the diff is gone again.
    const shadows = await query(serverUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
    expect(shadows).toEqual([]);
  });
});
