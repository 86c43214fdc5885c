import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEntry, guacdFolderBeside, guacdFolderFor, pinSocket, RefusedSocketError, removeDesktopTree, socketRefusal } from './pinned-sockets';
import { waitForDisplay } from './wait-for-vnc';

// Pinning on a real file system, as root (the worker's user): a "desktop" folder owned by another
// uid holds whatever the test plants in place of its socket, a "host" folder the things a planted
// link points at. DESKTOP is any uid but root's; GUACD any gid.
const DESKTOP = 4242;
const GUACD = 4343;
let root = '';
let stateDir = '';
let host = '';
const servers: net.Server[] = [];

const listen = async (p: string, uid?: number) => {
  const server = net.createServer((c) => c.end('RFB 003.008\n'));
  await new Promise<void>((r) => server.listen(p, r));
  servers.push(server);
  if (uid !== undefined) await fs.lchown(p, uid, uid);
  return server;
};
/** What a host file looks like: every field pinning could change. */
const fingerprint = async (p: string) => {
  const st = await fs.lstat(p);
  return { mode: st.mode, uid: st.uid, gid: st.gid, ino: st.ino, content: st.isFile() ? await fs.readFile(p, 'utf8') : null };
};
let n = 0;
/** A fresh display folder `<stateDir>/displays/<id>`, the desktop's own (0700). */
const displayFolder = async () => {
  const dir = path.join(stateDir, 'displays', `env${++n}`);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chown(dir, DESKTOP, DESKTOP);
  return dir;
};

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'pin-'));
  await fs.chmod(root, 0o711);
  stateDir = path.join(root, 's');
  host = path.join(root, 'host');
  await fs.mkdir(host, { mode: 0o700 });
  await fs.writeFile(path.join(host, 'secret'), 'root only', { mode: 0o600 });
  await listen(path.join(host, 'root.sock'));
  await fs.chmod(path.join(host, 'root.sock'), 0o600);
});

afterAll(async () => {
  for (const s of servers) s.close();
  await fs.rm(root, { recursive: true, force: true });
});

describe('pinSocket', () => {
  it('pins the desktop\'s own socket under root\'s guacd folder, opened to guacd\'s group', async () => {
    const dir = await displayFolder();
    await listen(path.join(dir, 'vnc.sock'), DESKTOP);
    const pinned = await pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD });
    expect(pinned).toBe(path.join(guacdFolderFor(stateDir, path.basename(dir)), 'vnc.sock'));
    const [orig, pin, folder] = await Promise.all([fs.lstat(path.join(dir, 'vnc.sock')), fs.lstat(pinned!), fs.lstat(path.dirname(pinned!))]);
    expect(pin.ino).toBe(orig.ino);
    expect({ uid: pin.uid, gid: pin.gid, mode: pin.mode & 0o7777 }).toEqual({ uid: DESKTOP, gid: GUACD, mode: 0o770 });
    expect({ uid: folder.uid, gid: folder.gid, mode: folder.mode & 0o7777 }).toEqual({ uid: 0, gid: GUACD, mode: 0o710 });
    // Connecting through the pinned name reaches the desktop's server.
    expect(await waitForDisplay(pinned!, 2000)).toBe(pinned);
    // Only the pinned socket is there: no temporary names left.
    expect(await fs.readdir(path.dirname(pinned!))).toEqual(['vnc.sock']);
  });

  it('keeps a folder root-only and the socket as it was without guacd\'s group (loopback bridges)', async () => {
    const dir = await displayFolder();
    await listen(path.join(dir, 'pulse.sock'), DESKTOP);
    await fs.chmod(path.join(dir, 'pulse.sock'), 0o755);
    const pinned = await pinSocket({ socketDir: dir, name: 'pulse.sock', guacdGid: null });
    const [pin, folder] = await Promise.all([fs.lstat(pinned!), fs.lstat(path.dirname(pinned!))]);
    expect({ gid: pin.gid, mode: pin.mode & 0o777 }).toEqual({ gid: DESKTOP, mode: 0o755 });
    expect({ uid: folder.uid, mode: folder.mode & 0o7777 }).toEqual({ uid: 0, mode: 0o700 });
  });

  it("leaves a socket meant for root alone (the desktop agent's) out of guacd's group, in guacd's folder", async () => {
    const dir = await displayFolder();
    await listen(path.join(dir, 'agent.sock'), DESKTOP);
    await fs.chmod(path.join(dir, 'agent.sock'), 0o755);
    const pinned = await pinSocket({ socketDir: dir, name: 'agent.sock', guacdGid: GUACD, forGuacd: false });
    const [pin, folder] = await Promise.all([fs.lstat(pinned!), fs.lstat(path.dirname(pinned!))]);
    expect({ uid: pin.uid, gid: pin.gid, mode: pin.mode & 0o777 }).toEqual({ uid: DESKTOP, gid: DESKTOP, mode: 0o755 });
    // The folder stays as guacd needs it for the display's socket beside.
    expect({ gid: folder.gid, mode: folder.mode & 0o7777 }).toEqual({ gid: GUACD, mode: 0o710 });
  });

  it('answers null while the socket is not there yet', async () => {
    const dir = await displayFolder();
    expect(await pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD })).toBeNull();
    expect(await pinSocket({ socketDir: path.join(stateDir, 'displays', 'nosuch'), name: 'vnc.sock', guacdGid: GUACD })).toBeNull();
  });

  it.each([
    ['a link to a root-owned host socket', 'a symbolic link', (p: string) => fs.symlink(path.join(host, 'root.sock'), p)],
    ['a link to a root-owned host file', 'a symbolic link', (p: string) => fs.symlink(path.join(host, 'secret'), p)],
    ['a dangling link', 'a symbolic link', (p: string) => fs.symlink(path.join(host, 'nothing'), p)],
    ['a FIFO', 'a FIFO', async (p: string) => execFileSync('mkfifo', [p])],
    ['a regular file', 'a regular file', (p: string) => fs.writeFile(p, 'x')],
    ['a folder', 'a folder', (p: string) => fs.mkdir(p)],
  ])('refuses %s in place of the socket and changes nothing on the host', async (_what, found, plant) => {
    const dir = await displayFolder();
    const before = { sock: await fingerprint(path.join(host, 'root.sock')), secret: await fingerprint(path.join(host, 'secret')) };
    await plant(path.join(dir, 'vnc.sock'));
    await fs.lchown(path.join(dir, 'vnc.sock'), DESKTOP, DESKTOP);
    const err = await pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedSocketError);
    expect((err as Error).message).toContain(`vnc.sock in ${dir} is ${found}, not a socket: refused`);
    expect({ sock: await fingerprint(path.join(host, 'root.sock')), secret: await fingerprint(path.join(host, 'secret')) }).toEqual(before);
    // Nothing was pinned, and the planted entry itself is as the desktop left it.
    expect(await fs.readdir(guacdFolderBeside(dir))).toEqual([]);
    expect((await fs.lstat(path.join(dir, 'vnc.sock'))).uid).toBe(DESKTOP);
  });

  it('refuses a socket the desktop does not own (it can only make its own)', async () => {
    const dir = await displayFolder();
    await listen(path.join(dir, 'vnc.sock'));
    await fs.chmod(path.join(dir, 'vnc.sock'), 0o600);
    await expect(pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD })).rejects.toThrow(`is a socket owned by uid 0, not by the desktop (uid ${DESKTOP})`);
    expect((await fs.lstat(path.join(dir, 'vnc.sock'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a link in place of the display folder itself', async () => {
    const dir = path.join(stateDir, 'displays', 'linked');
    await fs.symlink(host, dir);
    await expect(pinSocket({ socketDir: dir, name: 'root.sock', guacdGid: GUACD })).rejects.toThrow('is a symbolic link, not a folder: refused');
    expect((await fs.lstat(path.join(host, 'root.sock'))).mode & 0o777).toBe(0o600);
  });

  it('replaces a pinned socket with the desktop\'s new one, and closes guacd out of a folder made before pinning (0710)', async () => {
    const dir = await displayFolder();
    await fs.chown(dir, DESKTOP, GUACD);
    await fs.chmod(dir, 0o710);
    const first = await listen(path.join(dir, 'vnc.sock'), DESKTOP);
    const pinned = await pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD });
    expect((await fs.lstat(dir)).mode & 0o777).toBe(0o700);
    first.close();
    await fs.rm(path.join(dir, 'vnc.sock'), { force: true });
    await listen(path.join(dir, 'vnc.sock'), DESKTOP);
    expect(await pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD })).toBe(pinned);
    expect((await fs.lstat(pinned!)).ino).toBe((await fs.lstat(path.join(dir, 'vnc.sock'))).ino);
  });

  it('fails the display wait at once on a refused socket, rather than waiting out its timeout', async () => {
    const dir = await displayFolder();
    await fs.symlink(path.join(host, 'root.sock'), path.join(dir, 'vnc.sock'));
    const started = Date.now();
    await expect(waitForDisplay(() => pinSocket({ socketDir: dir, name: 'vnc.sock', guacdGid: GUACD }), 10_000)).rejects.toBeInstanceOf(RefusedSocketError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('removeDesktopTree', () => {
  it('removes a folder the desktop filled with links, FIFOs and nested folders without following any', async () => {
    const outside = path.join(host, 'outside');
    await fs.mkdir(path.join(outside, 'deep'), { recursive: true });
    await fs.writeFile(path.join(outside, 'deep', 'keep'), 'keep');
    const dir = path.join(stateDir, 'transfer', 'envX');
    await fs.mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    await fs.symlink(outside, path.join(dir, 'a', 'b', 'out'));
    await fs.symlink(path.join(host, 'secret'), path.join(dir, 'secret'));
    execFileSync('mkfifo', [path.join(dir, 'a', 'fifo')]);
    await fs.writeFile(path.join(dir, 'a', 'file'), 'x');
    execFileSync('chown', ['-hR', `${DESKTOP}:${DESKTOP}`, dir]);
    await fs.chmod(path.join(dir, 'a'), 0o500); // even a folder its owner made read-only
    await removeDesktopTree(dir);
    await expect(fs.lstat(dir)).rejects.toThrow('ENOENT');
    expect(await fs.readFile(path.join(outside, 'deep', 'keep'), 'utf8')).toBe('keep');
    expect(await fs.readFile(path.join(host, 'secret'), 'utf8')).toBe('root only');
    await removeDesktopTree(dir); // gone already: nothing to do
  });

  it('removes a link in its own place, not what it points at', async () => {
    const link = path.join(stateDir, 'transfer', 'envL');
    await fs.symlink(host, link);
    await removeDesktopTree(link);
    await expect(fs.lstat(link)).rejects.toThrow('ENOENT');
    expect(await fs.readFile(path.join(host, 'secret'), 'utf8')).toBe('root only');
  });
});

describe('describing what was found', () => {
  const kind = (k: string) => ({
    isSymbolicLink: () => k === 'link',
    isFIFO: () => k === 'fifo',
    isFile: () => k === 'file',
    isDirectory: () => k === 'dir',
    isSocket: () => k === 'socket',
    isCharacterDevice: () => k === 'chr',
    isBlockDevice: () => false,
  });

  it('names each kind of entry', () => {
    expect(['link', 'fifo', 'file', 'dir', 'socket', 'chr', '?'].map((k) => describeEntry(kind(k)))).toEqual([
      'a symbolic link',
      'a FIFO',
      'a regular file',
      'a folder',
      'a socket',
      'a device',
      'something else',
    ]);
  });

  it('accepts only a socket of the folder\'s owner', () => {
    expect(socketRefusal({ ...kind('socket'), uid: 1000 }, 1000)).toBeNull();
    expect(socketRefusal({ ...kind('socket'), uid: 0 }, 1000)).toBe('is a socket owned by uid 0, not by the desktop (uid 1000)');
    expect(socketRefusal({ ...kind('link'), uid: 1000 }, 1000)).toBe('is a symbolic link, not a socket');
  });

  it('finds the pinned folder beside a display folder', () => {
    expect(guacdFolderBeside('/var/lib/genos/x/displays/abc')).toBe('/var/lib/genos/x/guacd/abc');
  });
});
