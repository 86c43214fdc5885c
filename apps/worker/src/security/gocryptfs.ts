// gocryptfs (Debian's package, FUSE) run as root by the worker. The password
// is always written to the program's stdin, which gocryptfs reads when stdin
// is not a terminal: it is never on a command line, in the environment, in a
// file or in a log.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { AppError } from '@genos/core';
import { gocryptfsMountpoints, parseMounts, servesMountpoint } from './proc-mounts';

/**
 * The password is the volume's random 256-bit data key, so scrypt's cost buys
 * nothing against guessing: its minimum (2^10) keeps a mount at tens of ms
 * instead of ~0.3 s and 64 MiB per desktop start.
 */
const SCRYPT_N = '10';

interface Result {
  code: number;
  stderr: string;
}

function run(args: string[], password: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    // stdout ignored: only stderr explains a failure.
    const child = spawn('gocryptfs', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new AppError('UNAVAILABLE', 'gocryptfs is not installed: home volumes are encrypted with it (scripts/setup-host.sh installs it)') : e),
    );
    // 'close', not 'exit': gocryptfs' mount daemon lets go of stderr once it has switched its logging to syslog.
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: quiet(stderr) }));
    child.stdin.on('error', () => {});
    child.stdin.end(`${password}\n`);
  });
}

/** gocryptfs' own chatter about a missing syslog is not the error. */
const quiet = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.trim() && !/Syslog: Unix syslog delivery error/.test(l))
    .join('; ');

/** The password gocryptfs gets for a data key: its hex (one line, no whitespace). */
export const passwordOf = (dataKey: Uint8Array) => Buffer.from(dataKey).toString('hex');

/** Makes `dir` (empty) an encrypted directory whose master key is wrapped by `password` (gocryptfs.conf inside it). */
export async function initCipherDir(dir: string, password: string): Promise<void> {
  const r = await run(['-init', '-q', '-scryptn', SCRYPT_N, '--', dir], password);
  if (r.code !== 0) throw new AppError('INTERNAL', `gocryptfs -init ${dir} failed (exit ${r.code}): ${r.stderr}`);
}

/**
 * Mounts the plaintext view of `cipherDir` on `mountpoint`.
 * -allow_other: the desktop user (uid 1000, no capabilities) may use it; gocryptfs then
 *  turns on the kernel's permission checks (default_permissions) and, running as root,
 *  creates each file as the user who asked, so the home stays uid 1000's.
 * -sharedstorage: two desktops of the same owner each mount the same cipher dir; this
 *  turns off the caches that would show one of them stale data.
 */
export async function mountCipherDir(cipherDir: string, mountpoint: string, password: string): Promise<void> {
  const r = await run(['-q', '-allow_other', '-sharedstorage', '--', cipherDir, mountpoint], password);
  if (r.code === 12) throw new AppError('FORBIDDEN', `the home volume at ${cipherDir} does not open with its data key`);
  if (r.code !== 0) throw new AppError('UNAVAILABLE', `gocryptfs could not mount ${cipherDir} (exit ${r.code}): ${r.stderr}`);
}

/** The gocryptfs mounts this process' mount namespace (the host's) has under `root`. */
export async function mountedUnder(root: string): Promise<string[]> {
  return gocryptfsMountpoints(parseMounts(await fs.readFile('/proc/self/mounts', 'utf8')), root);
}

/**
 * Detaches a mount from the host (umount -l: it goes even while a process
 * still has a file open in it). A desktop started on it keeps its own
 * reference in its own mount namespace; gocryptfs exits when that goes too.
 */
export async function detach(mountpoint: string): Promise<void> {
  const r = await new Promise<Result>((resolve, reject) => {
    const child = spawn('umount', ['-l', '--', mountpoint], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
  if (r.code !== 0 && (await mountedUnder(mountpoint)).includes(mountpoint)) throw new AppError('INTERNAL', `umount -l ${mountpoint} failed: ${r.stderr.trim()}`);
}

/** The gocryptfs processes serving `mountpoint`. */
async function gocryptfsServing(mountpoint: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const argv = await fs.readFile(`/proc/${name}/cmdline`, 'utf8').then((s) => s.split('\0'), () => []);
    if (servesMountpoint(argv, mountpoint)) pids.push(Number(name));
  }
  return pids;
}

/**
 * Detaches whatever is mounted at or under `mountpoint` and makes sure its
 * gocryptfs has ended. It ends by itself once the last reference (a
 * container's) is gone; one that does not (something still holds the mount)
 * is ended here, so nothing decrypts any more.
 */
export async function unmountAndEnd(mountpoint: string): Promise<void> {
  for (const m of (await mountedUnder(mountpoint)).reverse()) await detach(m);
  const deadline = Date.now() + 5000;
  let pids = await gocryptfsServing(mountpoint);
  while (pids.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pids = await gocryptfsServing(mountpoint);
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}
