// `genos backup create|list|verify|restore` and the scheduled backup: one
// restic snapshot per backup holding a staging folder (the database's
// consistent dump and manifest.json) and the deployment's files. A snapshot
// exists only once restic finished writing it, so a killed backup never
// lists; its BackupRun row is marked failed by the next run.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppError, backupManifestSchema, type Actor, type BackupManifest, type BackupRuns, type RecordAudit } from '@genos/core';
import { dumpDatabase, restoreDatabase, tablesWithData, verifyDatabaseDump } from '@genos/db/backup';
import { currentPlace, findBackupSources, placeFor, type BackupPlaces } from './backup-sources';
import { BACKUP_TAG, type CorruptPart, type ResticRepository } from './restic-repository';
import { runCommand } from './run-command';

export interface BackupContext extends BackupPlaces {
  databaseUrl: string;
  /** The repository; each use of a KEK (deriving its password) is audited. */
  repository: ResticRepository;
  runs: BackupRuns;
  audit: RecordAudit;
  /** This machine's name in restic and in the BackupRun rows. */
  host: string;
}

const LOCK_KEY = 'genos-backup';
const manifestPath = (stagingDir: string) => path.join(stagingDir, 'manifest.json');
const stagingFor = (ctx: BackupContext) => path.join(ctx.stateDir, 'backup-staging');

/** One backup (or restore) at a time per database: a session advisory lock, released if the process dies. */
async function withBackupLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [LOCK_KEY]);
    if (!rows[0]?.ok) throw new AppError('CONFLICT', 'another backup or restore is running; try again when it is done');
    return await fn();
  } finally {
    await client.end().catch(() => {});
  }
}

export interface BackupResult {
  runId: string;
  snapshotId: string;
  /** Bytes backed up (database dump and files), and bytes restic added to the repository. */
  bytes: number;
  added: number;
  seconds: number;
  manifest: BackupManifest;
}

export async function createBackup(ctx: BackupContext, opts: { trigger: 'manual' | 'scheduled'; actor: Actor }): Promise<BackupResult> {
  return withBackupLock(ctx.databaseUrl, async () => {
    const t0 = performance.now();
    // Holding the lock, any run still `running` belongs to a process that died.
    await ctx.runs.failInterrupted('interrupted: the process running it stopped before it finished');
    const run = await ctx.runs.start({ trigger: opts.trigger, host: ctx.host });
    const staging = stagingFor(ctx);
    try {
      await ctx.repository.ensure();
      await ctx.repository.unlockStale();
      await fs.rm(staging, { recursive: true, force: true });
      await fs.mkdir(path.join(staging, 'db'), { recursive: true, mode: 0o700 });
      const database = await dumpDatabase({ url: ctx.databaseUrl, dir: path.join(staging, 'db') });
      const sources = await findBackupSources(ctx);
      const manifest: BackupManifest = {
        format: 'genos-backup',
        version: 1,
        id: run.id,
        createdAt: new Date().toISOString(),
        instance: ctx.instance,
        host: ctx.host,
        stagingDir: staging,
        database,
        sources,
      };
      await fs.writeFile(manifestPath(staging), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      const snap = await ctx.repository.backup({ paths: [staging, ...sources.map((s) => s.path)], tags: [BACKUP_TAG, `instance:${ctx.instance}`], host: ctx.host });
      await ctx.runs.finish(run.id, { status: 'succeeded', snapshotId: snap.snapshotId, bytes: snap.bytes });
      await ctx.audit({ actor: opts.actor, action: 'backup.create', targetType: 'backup', targetId: snap.snapshotId, after: { trigger: opts.trigger, bytes: snap.bytes, added: snap.added, tables: database.tables.length, sources: sources.length } });
      return { runId: run.id, ...snap, seconds: (performance.now() - t0) / 1000, manifest };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await ctx.runs.finish(run.id, { status: 'failed', error: message }).catch(() => {});
      await ctx.audit({ actor: opts.actor, action: 'backup.failure', targetType: 'backup', targetId: run.id, after: { trigger: opts.trigger, error: message } }).catch(() => {});
      throw e;
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  });
}

export interface BackupListing {
  id: string;
  shortId: string;
  time: Date;
  host: string;
  /** Size as recorded when it was made (unknown for backups made by another database). */
  bytes: number | null;
}

/** Complete backups only: restic lists a snapshot once it finished writing it. */
export async function listBackups(ctx: Pick<BackupContext, 'repository' | 'runs'>): Promise<BackupListing[]> {
  const snaps = await ctx.repository.snapshots();
  const runs = await ctx.runs.latest(500);
  return snaps.map((s) => ({ id: s.id, shortId: s.shortId, time: s.time, host: s.hostname, bytes: runs.find((r) => r.snapshotId === s.id || r.snapshotId === s.shortId)?.bytes ?? null }));
}

/** Reads back every byte of the repository; names corrupt repository files and the backed-up files they hold. */
export async function verifyBackups(ctx: Pick<BackupContext, 'repository' | 'audit'>, actor: Actor): Promise<{ ok: boolean; corrupt: CorruptPart[]; problems: string[] }> {
  const result = await ctx.repository.check();
  await ctx.audit({ actor, action: 'backup.verify', targetType: 'backup', targetId: null, after: { ok: result.ok, corrupt: result.corrupt.map((c) => c.file) } }).catch(() => {});
  return result;
}

const isEmptyDir = async (p: string) => (await fs.readdir(p).catch(() => [])).length === 0;

export interface RestoreResult {
  snapshotId: string;
  seconds: number;
  tables: number;
  rows: number;
  sources: { role: string; path: string; files: number }[];
}

/**
 * Restores one backup (default: the newest). Refuses, before writing
 * anything: a key file that does not open the repository, a backup whose
 * manifest or database copy does not check out, and a database or folder
 * that already holds data (unless `force`).
 */
export async function restoreBackup(ctx: BackupContext, opts: { snapshot?: string; force: boolean; actor: Actor }): Promise<RestoreResult> {
  return withBackupLock(ctx.databaseUrl, async () => {
    const t0 = performance.now();
    const snaps = await ctx.repository.snapshots();
    const snap = opts.snapshot ? snaps.find((s) => s.id === opts.snapshot || s.shortId === opts.snapshot) : snaps.at(-1);
    if (!snap) throw new AppError('NOT_FOUND', opts.snapshot ? `no backup ${opts.snapshot} in ${ctx.repository.location}` : `no backup in ${ctx.repository.location} yet`);
    const scratch = path.join(os.tmpdir(), `genos-restore-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(scratch, { mode: 0o700 });
    try {
      await ctx.repository.restore(snap.id, scratch);
      const stagingPath = snap.paths.find((p) => p.endsWith('/backup-staging'));
      const raw = stagingPath ? await fs.readFile(path.join(scratch, stagingPath, 'manifest.json'), 'utf8').catch(() => null) : null;
      const parsed = raw ? backupManifestSchema.safeParse(JSON.parse(raw)) : null;
      if (!parsed?.success) throw new AppError('VALIDATION', `backup ${snap.shortId} has no readable manifest; nothing was restored`);
      const manifest = parsed.data;
      const dbDir = path.join(scratch, manifest.stagingDir, 'db');
      await verifyDatabaseDump({ dir: dbDir, database: manifest.database });

      if (!opts.force) {
        const busy = await tablesWithData(ctx.databaseUrl);
        const full: string[] = [];
        for (const src of manifest.sources) {
          const at = await currentPlace(ctx, src, path.join(scratch, src.path));
          if (at && (src.role === 'home' || src.role === 'recordings' || src.role === 'transfer') && !(await isEmptyDir(at))) full.push(at);
        }
        if (busy.length || full.length) {
          const what = [busy.length ? `tables ${busy.join(', ')}` : '', full.length ? `folders ${full.join(', ')}` : ''].filter(Boolean).join('; ');
          throw new AppError('CONFLICT', `refusing to restore over existing data (${what}); nothing was changed. Use --force to replace it.`);
        }
      }
      const targets = [];
      for (const s of manifest.sources) targets.push({ source: s, from: path.join(scratch, s.path), to: await placeFor(ctx, s, path.join(scratch, s.path)) });
      await restoreDatabase({ url: ctx.databaseUrl, dir: dbDir, database: manifest.database });
      const restored: RestoreResult['sources'] = [];
      for (const t of targets) {
        const st = await fs.lstat(t.from);
        if (st.isDirectory()) {
          await fs.mkdir(t.to, { recursive: true });
          // cp -a keeps owners and modes (the desktop user's uid 1000, guacd's recordings).
          const r = await runCommand('cp', ['-a', '--', `${t.from}/.`, t.to]);
          if (r.code !== 0) throw new AppError('INTERNAL', `copying ${t.source.role} back to ${t.to} failed: ${r.stderr.trim()}`);
        } else {
          await fs.mkdir(path.dirname(t.to), { recursive: true, mode: 0o700 });
          await fs.copyFile(t.from, t.to);
          await fs.chmod(t.to, 0o600);
        }
        restored.push({ role: t.source.role, path: t.to, files: t.source.files });
      }
      const rows = manifest.database.tables.reduce((n, t) => n + t.rows, 0);
      await ctx.audit({ actor: opts.actor, action: 'backup.restore', targetType: 'backup', targetId: snap.id, after: { tables: manifest.database.tables.length, rows, sources: restored.length, forced: opts.force, kekId: await ctx.repository.kekInUse() } });
      return { snapshotId: snap.id, seconds: (performance.now() - t0) / 1000, tables: manifest.database.tables.length, rows, sources: restored };
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  });
}
