import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PrismaClient } from '@genos/db';

/**
 * File transfer in and out of a desktop. guacd's file transfer for VNC goes
 * through SFTP, which our sandboxes do not run, so the web app does it
 * itself: each container has its own host folder bind-mounted at
 * /home/genos/Transfer. The worker's Docker driver makes it encrypted at rest
 * (apps/worker/src/security/encrypted-transfer.ts): the plaintext view of the
 * environment's gocryptfs directory is mounted at
 * <state dir>/transfer/<environment id>, with `files/` (the desktop's
 * folder) and `incoming/` (never bound into the desktop) inside. Uploads are streamed into
 * `incoming/`, which the container cannot see, size-limited, then linked into
 * place under a name that does not exist yet (the same filesystem, so the
 * file appears whole or not at all); downloads open regular files only, never
 * following links, because the folder's contents are the desktop's
 * (untrusted) and this process is root on the host.
 *
 * The folder itself is safe to name by path: the desktop sees only files/
 * (as a mount point) and <state dir>/transfer is root's and 0700, so the desktop, which may put anything inside its folder (links,
 * FIFOs, sockets), can never put a link in the folder's place (inside the
 * sandbox it is a mount point: renaming or removing it fails).
 * Every entry inside is the desktop's: links are never followed (lstat,
 * O_NOFOLLOW, link(2)), and a FIFO is opened non-blocking and refused.
 * A folder found replaced anyway (only root could) is refused as well.
 */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const DESKTOP_UID = 1000;

export class TransferError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const transferRoot = (stateDir: string) => path.join(stateDir, 'transfer');
/** The environment's folder as its desktop sees it (bind-mounted at /home/genos/Transfer). */
export const transferDirFor = (stateDir: string, environmentId: string) => path.join(transferRoot(stateDir), environmentId, 'files');
/** Where uploads are staged: beside the folder, on the same (encrypted) filesystem, out of the desktop's sight. */
export const stagingDirFor = (stateDir: string, environmentId: string) => path.join(transferRoot(stateDir), environmentId, 'incoming');

/** A plain file name: no folders, no control characters, not hidden. */
export function safeFileName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (!name || name.length > 200 || name.startsWith('.') || /[/\\\u0000-\u001f\u007f]/.test(name)) {
    throw new TransferError(400, 'Give the file a plain name (no folders, no leading dot, at most 200 characters).');
  }
  return name;
}

/**
 * Who may move files: the desktop's owner, while it runs, when the team's
 * policy allows that direction (allowUpload / allowDownload).
 */
export async function authorizeTransfer(prisma: PrismaClient, user: { id: string } | null, environmentId: string, direction: 'upload' | 'download') {
  if (!user) throw new TransferError(401, 'Sign in first.');
  if (!/^[a-z0-9]{1,64}$/i.test(environmentId)) throw new TransferError(404, 'No such desktop.');
  const env = await prisma.environment.findUnique({ where: { id: environmentId }, include: { team: { select: { allowUpload: true, allowDownload: true } } } });
  if (!env || env.ownerId !== user.id) throw new TransferError(404, 'No such desktop.');
  if (direction === 'upload' && env.team && !env.team.allowUpload) throw new TransferError(403, 'Uploads are turned off for this team.');
  if (direction === 'download' && env.team && !env.team.allowDownload) throw new TransferError(403, 'Downloads are turned off for this team.');
  if (env.state !== 'running') throw new TransferError(409, `The desktop is ${env.state}: files move only while it runs.`);
  return env;
}

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

/**
 * Runs a root-only change (chown, chmod of root's file) on the encrypted
 * folder, again after a refusal: Debian 12's gocryptfs (2.3, upstream issue
 * #893) runs its whole process as the desktop user, without root's
 * capabilities, for the moment it creates a file for the desktop, and a
 * change that reaches it then is refused (EPERM). A few short retries
 * outlast that moment; a refusal that stays is a real one.
 */
async function whileGocryptfsImpersonates<T>(change: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await change();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES')) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** The desktop's Transfer folder, checked to be a real folder (not a link to one), or null when it has none. */
async function transferFolder(stateDir: string, environmentId: string): Promise<string | null> {
  const dir = transferDirFor(stateDir, environmentId);
  const st = await fs.lstat(dir).catch(() => null);
  return st?.isDirectory() ? dir : null;
}

/** Streams `body` into the desktop's Transfer folder; returns the name it got (a suffix is added rather than overwrite). */
export async function receiveUpload(opts: {
  stateDir: string;
  environmentId: string;
  name: string;
  body: Readable;
  declaredBytes: number | null;
  maxBytes?: number;
}): Promise<{ name: string; bytes: number }> {
  const max = opts.maxBytes ?? MAX_UPLOAD_BYTES;
  const tooLarge = () => new TransferError(413, `The file is larger than the ${Math.round(max / 1024 / 1024)} MB upload limit.`);
  // Refused before a byte is read when the size is declared.
  if (opts.declaredBytes !== null && opts.declaredBytes > max) throw tooLarge();
  const dir = await transferFolder(opts.stateDir, opts.environmentId);
  if (!dir) throw new TransferError(409, 'This desktop has no Transfer folder (it was started before file transfer was encrypted).');

  const staging = stagingDirFor(opts.stateDir, opts.environmentId);
  const st = await fs.lstat(staging).catch(() => null);
  if (!st?.isDirectory()) throw new TransferError(409, 'This desktop has no Transfer folder (it was started before file transfer was encrypted).');
  const tmp = path.join(staging, randomBytes(8).toString('hex'));
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) done(tooLarge());
      else done(null, chunk);
    },
  });
  try {
    const out = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    // The desktop user's file, readable whatever this process' umask is: set on the open file, not by name.
    await whileGocryptfsImpersonates(() => out.chmod(0o644));
    await whileGocryptfsImpersonates(() => out.chown(DESKTOP_UID, DESKTOP_UID));
    await pipeline(opts.body, limit, out.createWriteStream());
    const ext = path.extname(opts.name);
    const stem = opts.name.slice(0, opts.name.length - ext.length);
    for (let i = 0; i < 100; i++) {
      const name = i === 0 ? opts.name : `${stem} (${i})${ext}`;
      const target = path.join(dir, name);
      if (await exists(target)) continue;
      try {
        // link() never replaces or follows what is already there (the desktop may race us).
        await fs.link(tmp, target);
        return { name, bytes };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    throw new TransferError(409, 'Too many files with that name in Transfer.');
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** The regular files at the top of the Transfer folder (links and folders are not offered). */
export async function listTransferFiles(stateDir: string, environmentId: string) {
  const dir = await transferFolder(stateDir, environmentId);
  if (!dir) return [];
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: { name: string; bytes: number; modifiedAt: string }[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const st = await fs.lstat(path.join(dir, e.name)).catch(() => null);
    if (st?.isFile()) files.push({ name: e.name, bytes: st.size, modifiedAt: st.mtime.toISOString() });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name)).slice(0, 1000);
}

/** Opens one file for download without following links; the caller streams it. */
export async function openTransferFile(stateDir: string, environmentId: string, rawName: string) {
  const name = safeFileName(rawName);
  const dir = await transferFolder(stateDir, environmentId);
  if (!dir) throw new TransferError(404, 'No such file in Transfer.');
  const file = path.join(dir, name);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw new TransferError(404, 'No such file in Transfer.');
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new TransferError(404, 'No such file in Transfer.');
  }
  return { name, bytes: st.size, stream: handle.createReadStream() };
}
