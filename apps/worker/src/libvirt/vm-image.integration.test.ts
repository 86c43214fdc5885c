// VM image layers: the base (built when missing, ~6 min on a cold machine) and a
// per-package-set qcow2 layer built once by apt-get in a chroot (needs Debian's archive).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appLayerPath, ensureVmBaseImage, ensureVmImage } from './vm-image';
import { exec } from './virsh';

const layers: string[] = [];
afterAll(async () => {
  for (const l of layers) await rm(l, { force: true });
});

describe.skipIf(!existsSync('/dev/kvm'))('VM images', () => {
  it('has a qcow2 base with a kernel and initrd for direct boot', async () => {
    const base = await ensureVmBaseImage({ onProgress: (l) => console.log(`[vm-image] ${l}`) });
    expect(base.disk).toMatch(/\/desktop-vm-[0-9a-f]{16}\.qcow2$/);
    const { stdout } = await exec('qemu-img', ['info', '--output=json', '-U', base.disk]);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'qcow2' });
    expect(existsSync(base.kernel) && existsSync(base.initrd)).toBe(true);
    expect(await ensureVmImage({ packages: [] })).toMatchObject({ disk: base.disk, built: false });
  });

  it('builds an app layer once, as a delta on the base, and reuses it', async () => {
    const base = await ensureVmBaseImage();
    const target = appLayerPath(base, ['cowsay']);
    layers.push(target);
    await rm(target, { force: true });
    const [a, b] = await Promise.all([ensureVmImage({ packages: ['cowsay'] }), ensureVmImage({ packages: ['cowsay', 'cowsay'] })]);
    expect(a).toMatchObject({ disk: target, built: true });
    expect(b.disk).toBe(target);
    expect(await ensureVmImage({ packages: ['cowsay'] })).toMatchObject({ disk: target, built: false });
    const info = JSON.parse((await exec('qemu-img', ['info', '--output=json', '-U', target])).stdout) as { 'backing-filename': string; 'actual-size': number };
    expect(info['backing-filename']).toBe(base.disk);
    expect(info['actual-size']).toBeLessThan(200 * 2 ** 20);
    // The package is in the layer's filesystem (read without mounting: debugfs on a raw copy).
    const dir = await mkdtemp(join(tmpdir(), 'genos-vm-layer-'));
    try {
      await exec('qemu-img', ['convert', '-O', 'raw', target, join(dir, 'disk.raw')]);
      const { stdout } = await exec('debugfs', ['-R', 'stat /usr/games/cowsay', join(dir, 'disk.raw')]);
      expect(stdout).toMatch(/Type: regular/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('refuses invalid package names', async () => {
    await expect(ensureVmImage({ packages: ['x; rm -rf /'] })).rejects.toThrow(/invalid Debian package name/);
  });
});
