// A fully migrated database kept on the server as a template, so each test
// database is a cheap `CREATE DATABASE ... TEMPLATE` copy (tens of ms)
// instead of replaying every migration (hundreds of ms).
//
// The template's name carries a hash of the migration files, so changing or
// adding a migration builds a new template; outdated ones are dropped.
// It is built under a temporary name and renamed when complete, so parallel
// test workers never copy a half-migrated template.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { applyMigrations } from '../migrate/apply-migrations.ts';
import { withDatabase } from '../migrate/migration-adapter.ts';
import { migrationsDir as defaultMigrationsDir } from '../paths.ts';
import { quoteIdent, withAdminClient } from './admin-connection.ts';

const TEMPLATE_PREFIX = 'genos_tpl_';

async function migrationsHash(migrationsDir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const name of entries) {
    hash.update(name + '\0');
    hash.update(await readFile(path.join(migrationsDir, name, 'migration.sql')).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 16);
}

const ready = new Map<string, Promise<string>>();

/** Name of the migrated template database for `url`'s server, built if needed. */
export function ensureTemplateDatabase(url: string, migrationsDir = defaultMigrationsDir): Promise<string> {
  const key = `${url}|${migrationsDir}`;
  let promise = ready.get(key);
  if (!promise) {
    promise = buildTemplate(url, migrationsDir);
    promise.catch(() => ready.delete(key)); // allow a retry after a failure
    ready.set(key, promise);
  }
  return promise;
}

async function buildTemplate(url: string, migrationsDir: string): Promise<string> {
  const name = TEMPLATE_PREFIX + (await migrationsHash(migrationsDir));
  const exists = await withAdminClient(url, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rowCount === 1;
  });
  if (exists) return name;

  const building = `${name}_b${randomBytes(4).toString('hex')}`;
  await withAdminClient(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(building)}`));
  try {
    await applyMigrations(withDatabase(url, building), { migrationsDir });
    await withAdminClient(url, async (c) => {
      try {
        await c.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
      } catch (e) {
        // 42P04: another process finished the same template first; use theirs.
        if ((e as { code?: string }).code !== '42P04') throw e;
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
      }
    });
  } catch (error) {
    await withAdminClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`)).catch(
      () => {},
    );
    throw error;
  }
  await dropOutdatedTemplates(url, name);
  return name;
}

/** Templates of older migration sets (not in-progress builds of other runs). */
async function dropOutdatedTemplates(url: string, current: string): Promise<void> {
  await withAdminClient(url, async (c) => {
    const r = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'genos\\_tpl\\_%' AND datname !~ '_b[0-9a-f]{8}$' AND datname <> $1",
      [current],
    );
    for (const { datname } of r.rows) {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`).catch(() => {}); // in use: leave it
    }
  });
}
