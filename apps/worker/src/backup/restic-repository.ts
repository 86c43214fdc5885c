// The backup repository: restic (Debian's package), in a local folder or any
// S3-compatible store (`s3:https://host/bucket/path`, credentials in restic's
// own AWS_* variables). restic encrypts and deduplicates; its password is
// derived from a key-encryption key (KEK) by the key service, so the KEK file
// alone opens a backup, and rotation re-keys the repository (restic's key
// add/remove) without re-encrypting anything.
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type KeyEncryptionKeys, type KeyHolder } from '@genos/core';
import { runCommand, type CommandResult } from './run-command';

/** Tag on every snapshot GenOS writes; a snapshot exists only once restic finished it. */
export const BACKUP_TAG = 'genos-backup';
const PASSWORD_CONTEXT = 'backup-repository';

export interface ResticSnapshot {
  id: string;
  shortId: string;
  time: Date;
  hostname: string;
  tags: string[];
  paths: string[];
}

export interface CorruptPart {
  /** The repository file that failed its check (e.g. data/2a/2af3…). */
  file: string;
  /** Backed-up files with content in it, when restic can still tell. */
  holds: string[];
}

const isLocal = (location: string) => location.startsWith('/');
const DISK_FULL = /no space left on device/i;

export function describeResticFailure(what: string, r: CommandResult, location: string): AppError {
  const text = `${r.stderr}\n${r.stdout}`;
  if (DISK_FULL.test(text)) {
    return new AppError('UNAVAILABLE', `${what} failed: the backup disk is full (no space left on device at ${location}); earlier backups are intact. Free space or move GENOS_BACKUP_DIR.`);
  }
  const fatal = text.split('\n').find((l) => l.startsWith('Fatal:'))?.replace(/^Fatal:\s*/, '');
  return new AppError('UNAVAILABLE', `${what} failed: ${fatal ?? (text.trim().split('\n').at(-1) || `restic exited with ${r.code}`)}`);
}

export function resticRepository(opts: { location: string; keks: KeyEncryptionKeys }) {
  const { location, keks } = opts;
  const passwordFor = async (kekId: string) => Buffer.from(await keks.derive(kekId, PASSWORD_CONTEXT)).toString('hex');
  const restic = (args: string[], password: string, env: Record<string, string> = {}) =>
    runCommand('restic', ['--no-cache', '--repo', location, ...args], { env: { ...env, RESTIC_PASSWORD: password } });

  // restic stretches the password (scrypt) on every call: remember which KEK opened the repository.
  let opened: { kekId: string; password: string } | null = null;

  /** Which KEK's password opens the repository: null when there is no repository yet. */
  async function openingKek(): Promise<{ kekId: string; password: string } | null> {
    if (opened && (await keks.list()).some((k) => k.id === opened!.kekId)) return opened;
    return (opened = await findOpeningKek());
  }

  async function findOpeningKek(): Promise<{ kekId: string; password: string } | null> {
    const candidates = (await keks.list()).sort((a, b) => Number(b.active) - Number(a.active));
    let missing = false;
    for (const k of candidates) {
      const password = await passwordFor(k.id);
      const r = await restic(['cat', 'config'], password);
      if (r.code === 0) return { kekId: k.id, password };
      if (/Is there a repository|config file.*(no such file|does not exist)|repository does not exist/i.test(r.stderr)) missing = true;
      else if (!/wrong password or no key found/i.test(r.stderr)) throw describeResticFailure('opening the backup repository', r, location);
    }
    if (missing) return null;
    throw new AppError('FORBIDDEN', `no key in this key-encryption key file opens the backup repository at ${location} (a backup of another deployment, or the wrong GENOS_KEK_FILE); nothing was changed`);
  }

  async function open(): Promise<string> {
    const found = await openingKek();
    if (!found) throw new AppError('NOT_FOUND', `there is no backup repository at ${location} yet (npx genos backup create makes it)`);
    return found.password;
  }

  const json = <T>(r: CommandResult, what: string): T => {
    if (r.code !== 0) throw describeResticFailure(what, r, location);
    return JSON.parse(r.stdout) as T;
  };

  const holder: KeyHolder = {
    name: `backup repository ${location}`,
    async countUsing(kekId) {
      // Asked afresh: this is what decides whether a KEK may be destroyed.
      opened = null;
      const found = await openingKek();
      return found?.kekId === kekId ? 1 : 0;
    },
    async rewrap(fromKekId) {
      const found = await openingKek();
      if (!found || found.kekId !== fromKekId) return 0;
      const active = (await keks.list()).find((k) => k.active);
      if (!active || active.id === fromKekId) return 0;
      const keys = json<{ id: string; current: boolean }[]>(await restic(['key', 'list', '--json'], found.password), 'listing the repository keys');
      const oldKey = keys.find((k) => k.current)?.id;
      const newPassword = await passwordFor(active.id);
      // restic reads the new password from a file: a 0600 one in a private folder, removed at once.
      const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'genos-restic-'));
      try {
        await fs.writeFile(path.join(dir, 'pw'), newPassword, { mode: 0o600 });
        const add = await restic(['key', 'add', '--new-password-file', path.join(dir, 'pw')], found.password);
        if (add.code !== 0) throw describeResticFailure('adding the new repository key', add, location);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
      opened = { kekId: active.id, password: newPassword };
      if (oldKey) {
        const rm = await restic(['key', 'remove', oldKey], newPassword);
        if (rm.code !== 0) throw describeResticFailure('removing the old repository key', rm, location);
      }
      return 1;
    },
  };

  return {
    location,
    holder,
    /** The KEK whose derived password opens the repository (null: no repository yet). */
    kekInUse: async () => (await openingKek())?.kekId ?? null,
    /** Makes the repository when there is none (local folder: mode 0700). */
    async ensure(): Promise<void> {
      if (await openingKek()) return;
      if (isLocal(location)) await fs.mkdir(path.dirname(location), { recursive: true, mode: 0o700 });
      const active = (await keks.list()).find((k) => k.active);
      if (!active) throw new AppError('UNAVAILABLE', 'the key-encryption key file has no active key');
      const r = await restic(['init'], await passwordFor(active.id));
      if (r.code !== 0) throw describeResticFailure('creating the backup repository', r, location);
    },
    /** Clears locks left by a killed restic (only stale ones: a live process keeps its lock). */
    async unlockStale(): Promise<void> {
      await restic(['unlock'], await open());
    },
    async backup(o: { paths: string[]; tags: string[]; host: string }): Promise<{ snapshotId: string; bytes: number; added: number }> {
      const password = await open();
      const r = await restic(['backup', '--json', '--host', o.host, ...o.tags.flatMap((t) => ['--tag', t]), ...o.paths], password);
      const summary = r.stdout
        .split('\n')
        .filter((l) => l.includes('"summary"'))
        .map((l) => JSON.parse(l) as { snapshot_id?: string; total_bytes_processed: number; data_added: number })
        .at(-1);
      // Exit 3: some source could not be read. The snapshot restic wrote is incomplete: never list it as good.
      if (r.code === 3 && summary?.snapshot_id) await restic(['forget', summary.snapshot_id], password);
      if (r.code !== 0 || !summary?.snapshot_id) throw describeResticFailure('the backup', r, location);
      return { snapshotId: summary.snapshot_id, bytes: summary.total_bytes_processed, added: summary.data_added };
    },
    async snapshots(): Promise<ResticSnapshot[]> {
      const rows = json<{ id: string; short_id: string; time: string; hostname: string; tags?: string[]; paths: string[] }[]>(
        await restic(['snapshots', '--json', '--tag', BACKUP_TAG], await open()),
        'listing backups',
      );
      return rows.map((s) => ({ id: s.id, shortId: s.short_id, time: new Date(s.time), hostname: s.hostname, tags: s.tags ?? [], paths: s.paths }));
    },
    /** Reads every byte back and checks it; names each corrupt repository file and what it holds. */
    async check(): Promise<{ ok: boolean; corrupt: CorruptPart[]; problems: string[] }> {
      const password = await open();
      // A backup killed midway (a worker's container going away) leaves its lock: restic removes
      // locks whose process is gone (never a live backup's), so check does not fail on a stale one.
      await restic(['unlock'], password);
      const r = await restic(['check', '--read-data'], password);
      if (r.code === 0) return { ok: true, corrupt: [], problems: [] };
      const text = `${r.stdout}\n${r.stderr}`;
      const problems = text.split('\n').filter((l) => /error|does not match|failed|damaged|missing/i.test(l) && !/^Fatal: repository contains errors/.test(l));
      const packs = new Set<string>();
      for (const m of text.matchAll(/Pack ID does not match, want ([0-9a-f]{64})|pack ([0-9a-f]{64})/g)) packs.add((m[1] ?? m[2])!);
      const corrupt: CorruptPart[] = [];
      for (const id of packs) {
        const found = await restic(['find', '--json', '--pack', id], password);
        // restic prints what it can still find as a JSON array, after complaints about unreadable trees.
        const listed = found.stdout.split('\n').find((l) => l.startsWith('['));
        const holds = listed ? [...new Set((JSON.parse(listed) as { path?: string }[]).map((f) => f.path).filter((p): p is string => !!p))] : [];
        // Nothing found: the pack held folder listings, so the files under them cannot be named any more.
        corrupt.push({ file: `data/${id.slice(0, 2)}/${id}`, holds: holds.length ? holds : ['(folder listings: restoring the files under them fails)'] });
      }
      if (corrupt.length === 0 && problems.length === 0) problems.push(describeResticFailure('the check', r, location).message);
      return { ok: false, corrupt, problems };
    },
    async restore(snapshotId: string, target: string, include?: string[]): Promise<void> {
      const r = await restic(['restore', snapshotId, '--target', target, ...(include ?? []).flatMap((p) => ['--include', p])], await open());
      if (r.code !== 0) throw describeResticFailure('restoring the backup', r, location);
    },
    async forget(keep: { daily: number; weekly: number }): Promise<string[]> {
      const r = await restic(['forget', '--json', '--tag', BACKUP_TAG, '--group-by', 'tags', '--keep-daily', String(keep.daily), '--keep-weekly', String(keep.weekly), '--prune'], await open());
      if (r.code !== 0) throw describeResticFailure('removing old backups', r, location);
      const groups = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('[')) ?? '[]') as { remove?: { id: string }[] | null }[];
      return groups.flatMap((g) => (g.remove ?? []).map((s) => s.id));
    },
  };
}
export type ResticRepository = ReturnType<typeof resticRepository>;
