// Point-in-time recovery end to end on a real PostgreSQL cluster of the test's
// own (the shipped binaries, its own port and folders): archiving on, a base
// backup, writes before and after a moment, then a recovery to that moment in
// a new data directory that has the first writes and not the later ones.
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBinaries, type PgBinaries } from '../embedded/binaries.ts';
import { ensureServerUser, initCluster } from '../embedded/init-cluster.ts';
import type { RunAs } from '../embedded/os-user.ts';
import { startServer } from '../embedded/start-server.ts';
import { freePort } from '../testing/free-port.ts';
import { freshTestState } from '../testing/fresh-test-state.ts';
import { enableWalArchiving, recoverToTime, takeBaseBackup } from './point-in-time.ts';

const state = await freshTestState('pitr');
const PASSWORD = 'pitr-test-password';
let bins: PgBinaries;
let runAs: RunAs | undefined;
const dirs = { data: '', archive: '', base: '', recovered: '' };
const ports = { source: 0, recovered: 0 };
const url = (port: number) => `postgresql://genos:${PASSWORD}@127.0.0.1:${port}/postgres`;
const started: string[] = [];

const pgCtl = (args: string[]) =>
  new Promise<number>((resolve) => {
    const child = spawn(bins.pg_ctl, args, { uid: runAs?.uid, gid: runAs?.gid, cwd: '/', stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
const sql = async <T extends pg.QueryResultRow>(port: number, text: string, values: unknown[] = []) => {
  const c = new pg.Client({ connectionString: url(port) });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  bins = await pgBinaries();
  runAs = ensureServerUser();
  // The server's user must be able to reach its folders (the state dir is root's, 0700).
  await fs.chmod(state.stateDir, 0o711);
  for (const k of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[k] = path.join(state.stateDir, k);
  ports.source = await freePort();
  await initCluster({ initdb: bins.initdb, dataDir: dirs.data, port: ports.source, user: 'genos', password: PASSWORD });
  await startServer({ pgCtl: bins.pg_ctl, dataDir: dirs.data, logFile: path.join(state.stateDir, 'source.log'), port: ports.source, runAs });
  started.push(dirs.data);
}, 120_000);

afterAll(async () => {
  for (const d of started) await pgCtl(['-D', d, '-m', 'immediate', '-w', 'stop']);
  if (!process.env.KEEP) await state.remove();
}, 60_000);

describe('point-in-time recovery', () => {
  it('recovers the database as it was at a chosen moment, from a base backup and the archived WAL', async () => {
    expect(await enableWalArchiving({ url: url(ports.source), archiveDir: dirs.archive, runAs, archiveTimeoutSeconds: 5 })).toEqual({ restartNeeded: true });
    expect(await pgCtl(['-D', dirs.data, '-m', 'fast', '-w', 'restart', '-o', `-p ${ports.source}`, '-l', path.join(state.stateDir, 'source.log')])).toBe(0);
    expect(await enableWalArchiving({ url: url(ports.source), archiveDir: dirs.archive, runAs, archiveTimeoutSeconds: 5 })).toEqual({ restartNeeded: false });

    await sql(ports.source, 'CREATE TABLE notes (body text, at timestamptz DEFAULT clock_timestamp())');
    await sql(ports.source, `INSERT INTO notes (body) VALUES ('before the base backup')`);
    const info = await takeBaseBackup({ url: url(ports.source), dataDir: dirs.data, target: dirs.base });
    expect(await fs.readdir(dirs.base)).toEqual(expect.arrayContaining(['backup_label', 'PG_VERSION', 'genos-base-backup.json']));
    // A second base backup never lands on the first.
    await expect(takeBaseBackup({ url: url(ports.source), dataDir: dirs.data, target: dirs.base })).rejects.toMatchObject({ code: 'CONFLICT' });

    await sql(ports.source, `INSERT INTO notes (body) VALUES ('kept: before the moment')`);
    await new Promise((r) => setTimeout(r, 1100));
    const moment = new Date((await sql<{ now: Date }>(ports.source, 'SELECT clock_timestamp() AS now'))[0]!.now);
    await new Promise((r) => setTimeout(r, 1100));
    await sql(ports.source, `INSERT INTO notes (body) VALUES ('lost: after the moment')`);
    await sql(ports.source, 'DROP TABLE notes');
    // The segment holding those commits goes to the archive now (archive_timeout would do it within 5 s).
    const { lsn } = (await sql<{ lsn: string }>(ports.source, 'SELECT pg_switch_wal()::text AS lsn'))[0]!;
    expect(lsn).toMatch(/\//);
    await expect.poll(async () => (await sql<{ n: string }>(ports.source, 'SELECT archived_count::text AS n FROM pg_stat_archiver'))[0]!.n, { timeout: 20_000 }).not.toBe('0');

    // Bad targets are refused before anything is written.
    ports.recovered = await freePort();
    const common = { baseBackup: dirs.base, archiveDir: dirs.archive, dataDir: dirs.recovered, pgCtl: bins.pg_ctl, port: ports.recovered, url: url(ports.recovered), logFile: path.join(state.stateDir, 'recovered.log'), runAs };
    await expect(recoverToTime({ ...common, targetTime: new Date(new Date(info.takenAt).getTime() - 60_000) })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(recoverToTime({ ...common, targetTime: new Date(Date.now() + 3_600_000) })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(fs.stat(dirs.recovered)).rejects.toThrow();

    const { seconds } = await recoverToTime({ ...common, targetTime: moment });
    started.push(dirs.recovered);
    console.log(`[pitr] recovered to ${moment.toISOString()} in ${seconds.toFixed(2)} s`);
    const rows = await sql<{ body: string }>(ports.recovered, 'SELECT body FROM notes ORDER BY at');
    expect(rows.map((r) => r.body)).toEqual(['before the base backup', 'kept: before the moment']);
    // Promoted: it takes writes; the source still has its own later state.
    await sql(ports.recovered, `INSERT INTO notes (body) VALUES ('after recovery')`);
    await expect(sql(ports.source, 'SELECT 1 FROM notes')).rejects.toThrow(/does not exist/);
  }, 180_000);

  it('`genos pitr` takes a base backup of the server it is pointed at, and refuses a bad recovery target with a clear error', async () => {
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env = { ...process.env, DATABASE_URL: url(ports.source), GENOS_WAL_ARCHIVE_DIR: dirs.archive, GENOS_BASE_BACKUP_DIR: path.join(state.stateDir, 'cli-base') };
        execFile(process.execPath, [path.resolve(import.meta.dirname, '../../../../apps/cli/bin/genos.mjs'), 'pitr', ...args], { env }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const base = await cli(['base-backup']);
    expect(base.code).toBe(0);
    const made = JSON.parse(base.stdout) as { path: string; startLsn: string };
    expect(made.path.startsWith(path.join(state.stateDir, 'cli-base'))).toBe(true);
    expect(await fs.readdir(made.path)).toEqual(expect.arrayContaining(['backup_label', 'genos-base-backup.json']));
    const bad = await cli(['recover', '--to', 'not a time', '--from', made.path, '--into', path.join(state.stateDir, 'never')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/genos pitr: to: /);
    await expect(fs.stat(path.join(state.stateDir, 'never'))).rejects.toThrow();
  }, 120_000);
});
