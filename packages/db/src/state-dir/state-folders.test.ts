import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSocketPathsFit, ensurePassablePath } from './state-folders';

const mode = async (p: string) => (await fs.lstat(p)).mode & 0o7777;
const roots: string[] = [];
async function scratch(rootMode: number): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-folders-'));
  await fs.chmod(root, rootMode);
  roots.push(root);
  return root;
}
afterEach(async () => {
  for (const r of roots.splice(0)) await fs.rm(r, { recursive: true, force: true });
});

describe('the folders on the way to a display socket', () => {
  it('are made passable and unlistable on a state dir that does not exist yet', async () => {
    const root = await scratch(0o755);
    const stateDir = path.join(root, 'genos', 'fresh');
    const displays = await ensurePassablePath(stateDir, 'displays');
    expect(displays).toBe(path.join(stateDir, 'displays'));
    for (const p of [path.join(root, 'genos'), stateDir, displays]) expect(await mode(p)).toBe(0o711);
  });

  it('are set to exactly 0711 when an earlier run left them closed (0700) or open (0755)', async () => {
    const stateDir = await scratch(0o700);
    await fs.mkdir(path.join(stateDir, 'displays'), { mode: 0o755 });
    await fs.chmod(path.join(stateDir, 'displays'), 0o755);
    await ensurePassablePath(stateDir, 'displays');
    expect([await mode(stateDir), await mode(path.join(stateDir, 'displays'))]).toEqual([0o711, 0o711]);
  });

  it('names a folder above the state dir that others cannot pass, and changes nothing there', async () => {
    const root = await scratch(0o700);
    const err = ensurePassablePath(path.join(root, 'state'), 'displays');
    await expect(err).rejects.toThrow(`${root} (mode 700) does not let other users pass`);
    expect(await mode(root)).toBe(0o700);
  });

  it('refuses a symbolic link in place of a folder', async () => {
    const stateDir = await scratch(0o711);
    const elsewhere = await scratch(0o700);
    await fs.symlink(elsewhere, path.join(stateDir, 'displays'));
    await expect(ensurePassablePath(stateDir, 'displays')).rejects.toThrow('must be a folder (found a symbolic link)');
    expect(await mode(elsewhere)).toBe(0o700);
  });

  it('refuses a state dir too deep for the unix sockets under it, saying by how much', async () => {
    const deep = `/tmp/${'d'.repeat(60)}`;
    await expect(ensurePassablePath(deep, 'displays')).rejects.toThrow(/GENOS_STATE_DIR \/tmp\/d+ is too long by 4 bytes/);
    expect(() => assertSocketPathsFit('/var/lib/genos/default')).not.toThrow();
  });
});
