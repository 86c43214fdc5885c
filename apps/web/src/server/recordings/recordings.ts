import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RECORDING_PURPOSE, recordingContext, type Actor, type KeyService } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { sealFile } from '@genos/db/keys';
import { ensurePassablePath } from '@genos/db/state-dir';

/**
 * Session recordings. guacd writes them itself (connection parameters
 * `recording-path` / `recording-name` / `create-recording-path`): a dump of
 * the Guacamole protocol it sent, which guacamole-common-js's
 * SessionRecording plays back. They live beside guacd, in
 * <state dir>/recordings, a folder owned by guacd's unprivileged user (mode
 * 700); the web process (root) reads and deletes them. One Recording row per
 * tunnel connection: started when the tunnel accepts it, ended (with its
 * size) when the socket closes.
 *
 * At rest every recording is encrypted under its own data key (key service,
 * purpose `recording`): once guacd has let go of the file it is sealed into
 * `<id>.guac.sealed` (sealed-file.ts) and the plain file removed; playback
 * decrypts on the fly. guacd itself can only write plain files, so a session
 * is in the clear on disk while it is being recorded (in a folder only guacd
 * and root may enter), and for the few seconds after it ends. A recording
 * left plain by a crash is sealed by the next sweep.
 */
export const DEFAULT_RETENTION_DAYS = 30;
export const RECORDING_ID_RE = /^[a-z0-9]{10,40}$/;

export interface RecordingConfig {
  dir: string;
  /** Deployment default: record every session (GENOS_RECORD_ALL). */
  recordAll: boolean;
  /** Seals finished recordings (each under its own data key). */
  keys: KeyService;
}

const SYSTEM: Actor = { kind: 'system', id: null };
export const SEALED_SUFFIX = '.sealed';
const recordingKey = (id: string) => ({ purpose: RECORDING_PURPOSE, objectId: id });

const userIds = (name: string): { uid: number; gid: number } | null => {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
};

/**
 * Creates the recordings folder for guacd's user. guacd must be able to reach
 * it, so the state folder gets search permission for others (0711: its
 * contents stay unlisted and the display sockets keep their own folders).
 * Returns null (recording off, with a log line) when that is impossible.
 */
export async function prepareRecordingsDir(opts: { stateDir: string; guacdUser: string; recordAll: boolean; keys: KeyService; log?: (m: string) => void }): Promise<RecordingConfig | null> {
  const dir = path.join(opts.stateDir, 'recordings');
  try {
    const ids = userIds(opts.guacdUser);
    // Every folder on the way passable for guacd, never listable (the worker makes them the same way).
    await ensurePassablePath(opts.stateDir);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (ids && process.getuid?.() === 0) {
      await fs.chown(dir, ids.uid, ids.gid);
    } else if (!ids) {
      opts.log?.(`recordings: user ${opts.guacdUser} not found; guacd may not be able to write ${dir}`);
    }
    await fs.chmod(dir, 0o700);
    return { dir, recordAll: opts.recordAll, keys: opts.keys };
  } catch (e) {
    opts.log?.(`recordings are off: cannot prepare ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** A Recording row and the guacd settings that make guacd write it. */
export async function startRecording(prisma: PrismaClient, opts: { environmentId: string; userId: string | null; config: RecordingConfig }) {
  const id = `r${randomBytes(12).toString('hex')}`;
  const name = `${id}.guac`;
  const file = path.join(opts.config.dir, name);
  await prisma.recording.create({ data: { id, environmentId: opts.environmentId, userId: opts.userId, path: file } });
  return {
    id,
    file,
    settings: { 'recording-path': opts.config.dir, 'recording-name': name, 'create-recording-path': 'true' } as Record<string, string>,
  };
}

const sizeOf = async (file: string) => {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
};

/**
 * Ends the row with the file's size, then seals the file. guacd flushes the
 * file after the client has gone, later on a busy host: the size is read again
 * until it has stopped growing before the file is sealed.
 */
export async function finishRecording(prisma: PrismaClient, rec: { id: string; file: string }, keys: KeyService, settleMs = 1500) {
  let size = await sizeOf(rec.file);
  await prisma.recording.update({ where: { id: rec.id }, data: { endedAt: new Date(), bytes: BigInt(size) } });
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, settleMs).unref());
    const now = await sizeOf(rec.file);
    if (now !== size) await prisma.recording.update({ where: { id: rec.id }, data: { bytes: BigInt(now) } });
    else if (now > 0) break;
    size = now;
  }
  await sealRecording(prisma, { id: rec.id, path: rec.file }, keys);
}

/**
 * Encrypts one plain recording under its own data key: the sealed file is
 * written whole (or not at all), the row then points at it, and only then is
 * the plain file removed, so playback always finds one of the two.
 * Returns false when there was nothing plain to seal.
 */
export async function sealRecording(prisma: PrismaClient, rec: { id: string; path: string }, keys: KeyService): Promise<boolean> {
  if (rec.path.endsWith(SEALED_SUFFIX) || !(await fs.lstat(rec.path).then((s) => s.isFile(), () => false))) return false;
  const key = await keys.dataKey(recordingKey(rec.id), SYSTEM);
  const sealed = `${rec.path}${SEALED_SUFFIX}`;
  try {
    const { bytes } = await sealFile({ key, from: rec.path, to: sealed, context: recordingContext(rec.id) });
    await prisma.recording.update({ where: { id: rec.id }, data: { path: sealed, bytes: BigInt(bytes) } });
  } catch (e) {
    await fs.rm(sealed, { force: true });
    throw e;
  } finally {
    key.fill(0);
  }
  await fs.rm(rec.path, { force: true });
  return true;
}

/** A recording nobody has written to for this long is over, even if its row never got an end (the web process died). */
const ABANDONED_MS = 10 * 60_000;

/**
 * Seals what a crash left plain: ended recordings, and recordings whose file
 * has not changed for ten minutes (their row gets the file's time as its end).
 */
export async function sealLeftoverRecordings(prisma: PrismaClient, keys: KeyService, opts: { now?: number; log?: (m: string) => void } = {}): Promise<number> {
  const now = opts.now ?? Date.now();
  const rows = await prisma.recording.findMany({ where: { deletedAt: null, NOT: { path: { endsWith: SEALED_SUFFIX } } }, select: { id: true, path: true, endedAt: true } });
  let sealed = 0;
  for (const r of rows) {
    const st = await fs.lstat(r.path).catch(() => null);
    if (!st?.isFile()) continue;
    if (!r.endedAt) {
      if (st.mtimeMs > now - ABANDONED_MS) continue;
      await prisma.recording.update({ where: { id: r.id }, data: { endedAt: st.mtime, bytes: BigInt(st.size) } });
    }
    try {
      if (await sealRecording(prisma, r, keys)) sealed++;
    } catch (e) {
      opts.log?.(`recording ${r.id}: could not seal it: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return sealed;
}

/**
 * Retention: files older than their team's recordingRetentionDays (or 30 days
 * without a team) are deleted and their rows marked deleted. Returns how many.
 */
export async function sweepRecordings(prisma: PrismaClient, keys: KeyService, opts: { now?: number; log?: (m: string) => void } = {}): Promise<number> {
  const now = opts.now ?? Date.now();
  const rows = await prisma.recording.findMany({ where: { deletedAt: null }, select: { id: true, environmentId: true, path: true, startedAt: true } });
  if (rows.length === 0) return 0;
  const envs = await prisma.environment.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.environmentId))] } },
    select: { id: true, team: { select: { recordingRetentionDays: true } } },
  });
  const days = new Map(envs.map((e) => [e.id, e.team?.recordingRetentionDays ?? DEFAULT_RETENTION_DAYS]));
  let deleted = 0;
  for (const r of rows) {
    const keepDays = days.get(r.environmentId) ?? DEFAULT_RETENTION_DAYS;
    if (r.startedAt.getTime() > now - keepDays * 86_400_000) continue;
    try {
      await fs.rm(r.path, { force: true });
    } catch (e) {
      opts.log?.(`retention: could not delete ${r.path}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    await prisma.recording.update({ where: { id: r.id }, data: { deletedAt: new Date(now) } });
    // Its key goes too: a copy of the file (in a backup) can never be read again.
    await keys.destroy(recordingKey(r.id), SYSTEM);
    deleted++;
  }
  return deleted;
}

/** Runs the sweeps (seal what a crash left plain, then retention) now and then hourly; returns a stop function. */
export function startRecordingRetention(prisma: PrismaClient, keys: KeyService, log?: (m: string) => void, everyMs = 3_600_000) {
  const run = () =>
    void sealLeftoverRecordings(prisma, keys, { log })
      .then((n) => n && log?.(`recordings: sealed ${n} recording(s) left plain`))
      .then(() => sweepRecordings(prisma, keys, { log }))
      .then((n) => n && log?.(`retention: deleted ${n} recording(s)`))
      .catch((e: unknown) => log?.(`recording sweep failed: ${e instanceof Error ? e.message : String(e)}`));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
