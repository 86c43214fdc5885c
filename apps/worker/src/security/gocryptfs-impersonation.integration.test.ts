// Debian 12's gocryptfs (2.3, upstream issue #893) runs its whole process as
// the desktop user, without root's capabilities, for the moment it creates a
// file for that user. Anything else that reached the same mount then was
// refused when it needed root: the cipher directory behind a root-only folder
// (a desktop's own write failed now and then on a busy host: the CI failure
// that found this), or the web app's chown of an upload. These runs put the
// desktop user's writes and root's work on one mount at the same time, the way
// a desktop and the web app do, and count every refusal.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freshTestState } from '@genos/db/testing';
import { encryptedHomes } from './encrypted-home';
import { transferFolders } from './encrypted-transfer';
import { mountedUnder } from './gocryptfs';

const run = promisify(execFile);
const state = await freshTestState('gcfs-imp');
const homeKey = randomBytes(32);
const transferKey = randomBytes(32);
const homes = encryptedHomes({ stateDir: state.stateDir, keyFor: async () => Uint8Array.from(homeKey) });
const transfers = transferFolders({ stateDir: state.stateDir, keys: { keyFor: async () => Uint8Array.from(transferKey), destroy: async () => {} } });

afterAll(async () => {
  try {
    for (const m of (await mountedUnder(state.stateDir)).reverse()) await run('umount', ['-l', m]);
  } finally {
    await state.remove();
  }
});

/** Runs `rounds` create-read-statfs rounds as uid 1000 in `dir`; the refusals it met. */
function desktopWrites(dir: string, tag: string, rounds: number): Promise<string[]> {
  const script = `for i in $(seq 1 ${rounds}); do f="${dir}/${tag}-$i"; echo x > "$f" || echo "write $f"; cat "$f" > /dev/null || echo "read $f"; stat -f "${dir}" > /dev/null || echo "statfs"; done 2>/dev/null`;
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid', '1000', '--regid', '1000', '--clear-groups', 'bash', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.split('\n').filter(Boolean)));
  });
}

/**
 * The mount as the desktop reaches it: a bind outside the root-only folders
 * around the mountpoint (a container gets its own bind the same way).
 */
async function desktopView(mountpoint: string): Promise<{ dir: string; close: () => Promise<void> }> {
  // Beside the state dir, not in it: the test must not make a path passable that GenOS itself has to.
  const dir = `${state.stateDir}-view-${randomBytes(4).toString('hex')}`;
  await fs.mkdir(dir, { mode: 0o755 });
  await run('mount', ['--bind', mountpoint, dir]);
  return { dir, close: async () => void (await run('umount', ['-l', dir]), await fs.rmdir(dir)) };
}

describe('gocryptfs mounts with the desktop user and root at work on them at once', () => {
  it('an encrypted home refuses none of the desktop user\u2019s writes, reads or statfs calls, nor root\u2019s listings', async () => {
    const owner = `imp${Date.now().toString(36)}`;
    const id = `gi${Date.now().toString(36)}h`;
    await homes.ensure(owner);
    const mp = await homes.prepare(id);
    await homes.mount(owner, id);
    const view = await desktopView(mp);
    try {
      let rootRefusals = 0;
      let writersDone = false;
      const writers = Promise.all([1, 2, 3, 4].map((n) => desktopWrites(view.dir, `w${n}`, 150))).finally(() => (writersDone = true));
      while (!writersDone) {
        await fs.readdir(mp).catch(() => rootRefusals++);
        await fs.statfs(mp).catch(() => rootRefusals++);
      }
      expect((await writers).flat()).toEqual([]);
      expect(rootRefusals).toBe(0);
      expect((await fs.readdir(mp)).length).toBe(600);
    } finally {
      await view.close();
      await homes.release(id);
    }
  });

  it('a Transfer folder takes uploads (create, chmod, chown, link) while the desktop writes into it', async () => {
    const id = `gi${Date.now().toString(36)}t`;
    const files = await transfers.open(id);
    const incoming = path.join(path.dirname(files), 'incoming');
    const view = await desktopView(files);
    try {
      let writersDone = false;
      const writers = Promise.all([1, 2, 3].map((n) => desktopWrites(view.dir, `w${n}`, 150))).finally(() => (writersDone = true));
      const uploadErrors: string[] = [];
      let uploads = 0;
      while (!writersDone) {
        const tmp = path.join(incoming, randomBytes(6).toString('hex'));
        try {
          // What receiveUpload does, without its retries: every refusal counts here.
          const out = await fs.open(tmp, 'wx', 0o644);
          await out.chmod(0o644);
          await out.chown(1000, 1000);
          await out.write('upload');
          await out.close();
          await fs.link(tmp, path.join(files, `upload-${uploads++}`));
          await fs.rm(tmp);
        } catch (e) {
          uploadErrors.push(`${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`);
        }
      }
      expect((await writers).flat()).toEqual([]);
      // The staging folder is the desktop user's, so only a chown can still meet the moment gocryptfs
      // runs as that user: the web app retries it (whileGocryptfsImpersonates); nothing else may fail.
      expect(uploadErrors.filter((e) => !e.startsWith('EPERM'))).toEqual([]);
      expect(uploads).toBeGreaterThan(0);
      const st = await fs.stat(path.join(files, 'upload-0'));
      expect([st.uid, st.mode & 0o777]).toEqual([1000, 0o644]);
    } finally {
      await view.close();
      await transfers.remove(id);
    }
  });
});
