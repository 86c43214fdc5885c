import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePassablePath } from '@genos/db/state-dir';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@genos/db';

/**
 * Session recordings. guacd writes them itself (connection parameters
 * `recording-path` / `recording-name` / `create-recording-path`): a dump of
 * the Guacamole protocol it sent, which guacamole-common-js's
 * SessionRecording plays back. They live beside guacd, in
 * <state dir>/recordings, a folder owned by guacd's unprivileged user (mode
 * 700); the web process (root) reads and deletes them. One Recording row per
 * tunnel connection: started when the tunnel accepts it, ended (with its
 * size) when the socket closes.
 */
export const DEFAULT_RETENTION_DAYS = 30;
export const RECORDING_ID_RE = /^[a-z0-9]{10,40}$/;

export interface RecordingConfig {
  dir: string;
  /** Deployment default: record every session (GENOS_RECORD_ALL). */
  recordAll: boolean;
}

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
export async function prepareRecordingsDir(opts: { stateDir: string; guacdUser: string; recordAll: boolean; log?: (m: string) => void }): Promise<RecordingConfig | null> {
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
    return { dir, recordAll: opts.recordAll };
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
 * Ends the row with the file's size. guacd flushes the file after the client has
 * gone, later on a busy host: the size is read again until it stops growing.
 */
export async function finishRecording(prisma: PrismaClient, rec: { id: string; file: string }, settleMs = 1500) {
  let size = await sizeOf(rec.file);
  await prisma.recording.update({ where: { id: rec.id }, data: { endedAt: new Date(), bytes: BigInt(size) } });
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, settleMs).unref());
    const now = await sizeOf(rec.file);
    if (now !== size) await prisma.recording.update({ where: { id: rec.id }, data: { bytes: BigInt(now) } });
    else if (now > 0) return;
    size = now;
  }
}

/**
 * Retention: files older than their team's recordingRetentionDays (or 30 days
 * without a team) are deleted and their rows marked deleted. Returns how many.
 */
export async function sweepRecordings(prisma: PrismaClient, opts: { now?: number; log?: (m: string) => void } = {}): Promise<number> {
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
    deleted++;
  }
  return deleted;
}

/** Runs the sweep now and then hourly; returns a stop function. */
export function startRecordingRetention(prisma: PrismaClient, log?: (m: string) => void, everyMs = 3_600_000) {
  const run = () =>
    void sweepRecordings(prisma, { log })
      .then((n) => n && log?.(`retention: deleted ${n} recording(s)`))
      .catch((e: unknown) => log?.(`retention sweep failed: ${e instanceof Error ? e.message : String(e)}`));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
