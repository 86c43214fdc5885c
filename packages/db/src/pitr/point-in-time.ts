// Point-in-time recovery of the database (issue 17, item 8), with what
// PostgreSQL itself offers: continuous WAL archiving plus a base backup, then
// recovery that replays the archived WAL up to a chosen moment.
//
// Debian 12's pg_basebackup (15) refuses the embedded PostgreSQL 18, so the
// base backup uses the server's low-level API instead (pg_backup_start, a
// copy of the data directory, pg_backup_stop in the same session: "Making a
// Base Backup Using the Low Level API" in PostgreSQL's manual). The archive is
// a local folder of WAL segments written by the server itself
// (archive_command), which the nightly restic backup can carry off-site.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { AppError } from '@genos/core';
import { pgBinaries } from '../embedded/binaries.ts';
export { freeLoopbackPort } from '../embedded/free-port.ts';
import { pgRunAs, type RunAs } from '../embedded/os-user.ts';
import { startServer } from '../embedded/start-server.ts';

/** Written into every base backup: when it was taken and where its WAL starts. */
export const BASE_BACKUP_INFO = 'genos-base-backup.json';
const baseBackupInfo = z.object({ takenAt: z.string().datetime(), label: z.string(), startLsn: z.string() });
export type BaseBackupInfo = z.infer<typeof baseBackupInfo>;

const absolute = z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path');

function run(cmd: string, args: string[], opts: { runAs?: RunAs; cwd?: string } = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { uid: opts.runAs?.uid, gid: opts.runAs?.gid, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output: output.trim() }));
  });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A path quoted for a server setting's shell command (single quotes, none inside). */
const shellQuoted = (p: string) => {
  if (p.includes("'")) throw new AppError('VALIDATION', `the archive folder may not contain a single quote: ${p}`);
  return `'${p}'`;
};

/**
 * Turns on WAL archiving into `archiveDir` (made for the server's user, 0700).
 * archive_mode needs a server restart: the answer says whether one is due.
 * archive_timeout bounds what a crash can lose when writes are rare: at most
 * that long of commits sits in a segment not yet archived.
 */
export async function enableWalArchiving(opts: { url: string; archiveDir: string; runAs?: RunAs; archiveTimeoutSeconds?: number }): Promise<{ restartNeeded: boolean }> {
  absolute.parse(opts.archiveDir);
  await fs.mkdir(opts.archiveDir, { recursive: true, mode: 0o700 });
  if (opts.runAs) chownSync(opts.archiveDir, opts.runAs.uid, opts.runAs.gid);
  const dir = shellQuoted(opts.archiveDir);
  // Never overwrites a segment already archived (a second cluster pointed at the same folder fails loudly instead).
  const command = `test ! -f ${dir}/%f && cp %p ${dir}/%f`;
  return withClient(opts.url, async (c) => {
    await c.query(`ALTER SYSTEM SET archive_mode = 'on'`);
    await c.query(`ALTER SYSTEM SET archive_command = ${pg.escapeLiteral(command)}`);
    await c.query(`ALTER SYSTEM SET archive_timeout = ${pg.escapeLiteral(`${opts.archiveTimeoutSeconds ?? 60}s`)}`);
    await c.query('SELECT pg_reload_conf()');
    const { rows } = await c.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'archive_mode'`);
    return { restartNeeded: rows[0]?.setting !== 'on' };
  });
}

/**
 * A base backup of the running cluster at `dataDir` into `target` (new or
 * empty). The copy is taken between pg_backup_start and pg_backup_stop on one
 * connection; pg_backup_stop waits until the WAL the backup needs is archived,
 * so the backup is usable as soon as this resolves.
 */
export async function takeBaseBackup(opts: { url: string; dataDir: string; target: string }): Promise<BaseBackupInfo> {
  absolute.parse(opts.target);
  await mustBeEmpty(opts.target);
  await fs.mkdir(opts.target, { recursive: true, mode: 0o700 });
  const label = `genos-${new Date().toISOString()}`;
  try {
    return await withClient(opts.url, async (c) => {
      const archiving = (await c.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'archive_mode'`)).rows[0]?.setting;
      if (archiving !== 'on') throw new AppError('CONFLICT', 'WAL archiving is off: turn it on (and restart the database) before taking a base backup');
      const { rows } = await c.query<{ lsn: string }>('SELECT pg_backup_start($1, true) AS lsn', [label]);
      const takenAt = new Date().toISOString();
      // The server's own files that must not be in a backup (the manual's list): WAL comes from the archive.
      const exclude = ['./pg_wal/*', './postmaster.pid', './postmaster.opts', './pg_replslot/*', './pg_dynshmem/*', './pg_notify/*', './pg_serial/*', './pg_snapshots/*', './pg_stat_tmp/*', './pg_subtrans/*', './backup_label', './tablespace_map'];
      const pack = await run('sh', ['-c', `tar -C "$0" ${exclude.map((e) => `--exclude='${e}'`).join(' ')} -cf - . | tar -C "$1" -xpf -`, opts.dataDir, opts.target]);
      // tar exits 1 when a file changed while it was read: expected here, WAL replay repairs it.
      if (pack.code > 1) throw new AppError('INTERNAL', `copying ${opts.dataDir} failed: ${pack.output}`);
      const stop = await c.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(true)');
      await fs.writeFile(path.join(opts.target, 'backup_label'), stop.rows[0]!.labelfile);
      if (stop.rows[0]!.spcmapfile) await fs.writeFile(path.join(opts.target, 'tablespace_map'), stop.rows[0]!.spcmapfile);
      const info: BaseBackupInfo = { takenAt, label, startLsn: rows[0]!.lsn };
      await fs.writeFile(path.join(opts.target, BASE_BACKUP_INFO), JSON.stringify(info, null, 2) + '\n');
      return info;
    });
  } catch (e) {
    // Half a base backup is no backup: nothing of it stays.
    await fs.rm(opts.target, { recursive: true, force: true });
    throw e;
  }
}

async function mustBeEmpty(dir: string) {
  const entries = await fs.readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  if (entries.length) throw new AppError('CONFLICT', `${dir} is not empty: nothing there is overwritten`);
}

/**
 * Recovers the database as it was at `targetTime` into a new data directory:
 * the base backup is copied to `dataDir`, told to replay the archive up to
 * that moment and then to promote, and started on `port`. Resolves once it
 * accepts writes. The cluster the backup came from is not touched: the
 * operator checks the recovered one, then points GenOS at it.
 * Archiving is off in the recovered cluster, so it never writes into the
 * archive of the cluster it came from.
 */
export async function recoverToTime(opts: {
  baseBackup: string;
  archiveDir: string;
  dataDir: string;
  targetTime: Date;
  pgCtl: string;
  port: number;
  url: string;
  logFile: string;
  runAs?: RunAs;
  timeoutMs?: number;
}): Promise<{ seconds: number }> {
  for (const p of [opts.baseBackup, opts.archiveDir, opts.dataDir, opts.logFile]) absolute.parse(p);
  if (Number.isNaN(opts.targetTime.getTime())) throw new AppError('VALIDATION', 'the recovery target is not a time');
  const info = baseBackupInfo.safeParse(JSON.parse(await fs.readFile(path.join(opts.baseBackup, BASE_BACKUP_INFO), 'utf8').catch(() => 'null')));
  if (!info.success) throw new AppError('VALIDATION', `${opts.baseBackup} is not a GenOS base backup (no valid ${BASE_BACKUP_INFO})`);
  if (opts.targetTime.getTime() <= new Date(info.data.takenAt).getTime()) {
    throw new AppError('VALIDATION', `the base backup was taken at ${info.data.takenAt}: it can only recover to a later time (take an older base backup for ${opts.targetTime.toISOString()})`);
  }
  if (opts.targetTime.getTime() > Date.now()) throw new AppError('VALIDATION', `${opts.targetTime.toISOString()} is in the future`);
  if (!existsSync(opts.archiveDir)) throw new AppError('NOT_FOUND', `no WAL archive at ${opts.archiveDir}`);
  await mustBeEmpty(opts.dataDir);
  const t0 = performance.now();
  await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const copy = await run('cp', ['-a', '--', `${opts.baseBackup}/.`, `${opts.dataDir}/`]);
  if (copy.code !== 0) throw new AppError('INTERNAL', `copying the base backup failed: ${copy.output}`);
  await fs.rm(path.join(opts.dataDir, BASE_BACKUP_INFO), { force: true });
  await fs.mkdir(path.join(opts.dataDir, 'pg_wal'), { recursive: true, mode: 0o700 });
  const settings = [
    '',
    '# --- GenOS point-in-time recovery (packages/db/src/pitr/point-in-time.ts) ---',
    `restore_command = ${pg.escapeLiteral(`cp ${shellQuoted(opts.archiveDir)}/%f %p`)}`,
    // PostgreSQL's own timestamp form (it refuses ISO 8601's T and Z here).
    `recovery_target_time = ${pg.escapeLiteral(opts.targetTime.toISOString().replace('T', ' ').replace('Z', '+00'))}`,
    `recovery_target_action = 'promote'`,
    `archive_mode = 'off'`,
    '',
  ];
  await fs.appendFile(path.join(opts.dataDir, 'postgresql.auto.conf'), settings.join('\n'));
  await fs.writeFile(path.join(opts.dataDir, 'recovery.signal'), '');
  if (opts.runAs) {
    const own = await run('chown', ['-R', `${opts.runAs.uid}:${opts.runAs.gid}`, opts.dataDir]);
    if (own.code !== 0) throw new AppError('INTERNAL', `chown ${opts.dataDir} failed: ${own.output}`);
  }
  await startServer({ pgCtl: opts.pgCtl, dataDir: opts.dataDir, logFile: opts.logFile, port: opts.port, runAs: opts.runAs });
  // Replaying, then promoting: done when the server accepts writes.
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const inRecovery = await withClient(opts.url, async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).catch(() => true);
    if (!inRecovery) break;
    if (Date.now() > deadline) throw new AppError('UNAVAILABLE', `the recovered database did not finish replaying within ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s; see ${opts.logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { seconds: (performance.now() - t0) / 1000 };
}

/** The embedded server's pg_ctl and OS user, and a restart of a cluster by its data directory. */
export async function pgServerTools(): Promise<{ pgCtl: string; runAs: RunAs | undefined; restart(dataDir: string): Promise<void> }> {
  const { pg_ctl: pgCtl } = await pgBinaries();
  const runAs = pgRunAs();
  return {
    pgCtl,
    runAs,
    async restart(dataDir) {
      const r = await run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'restart'], { runAs, cwd: '/' });
      if (r.code !== 0) throw new AppError('UNAVAILABLE', `pg_ctl restart failed: ${r.output}`);
    },
  };
}

/** Where the server keeps its data (superusers may ask): what a base backup copies. */
export const serverDataDirectory = (url: string) => withClient(url, async (c) => (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory);
