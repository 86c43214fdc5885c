import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSealedFile, openSealedFile, sealFile } from './sealed-file.ts';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealed-file-'));
afterAll(() => fs.rm(dir, { recursive: true, force: true }));
const key = randomBytes(32);
let n = 0;

/** Seals `content` and returns the sealed file's path. */
async function sealed(content: string | Buffer, context = 'recording:r1') {
  const from = path.join(dir, `plain-${++n}`);
  await fs.writeFile(from, content);
  const to = `${from}.sealed`;
  await sealFile({ key, from, to, context });
  return to;
}
const readAll = async (file: string, context = 'recording:r1', k: Uint8Array = key) => {
  const { bytes, stream } = await openSealedFile({ key: k, file, context });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { bytes, data: Buffer.concat(chunks) };
};

describe('sealed files', () => {
  it('round-trip empty, small and multi-chunk files, and hold no plaintext', async () => {
    for (const size of [0, 5, 65_536, 65_537, 300_000]) {
      const plain = Buffer.from('secret-marker '.repeat(Math.ceil(size / 14) + 1)).subarray(0, size);
      const file = await sealed(plain);
      expect(await isSealedFile(file)).toBe(true);
      if (size > 20) expect((await fs.readFile(file)).includes('secret-marker')).toBe(false);
      const out = await readAll(file);
      expect(out.bytes).toBe(size);
      expect(out.data.equals(plain)).toBe(true);
    }
  });

  it('refuse the wrong key and another object\'s context before any byte is read', async () => {
    const file = await sealed('hello');
    await expect(openSealedFile({ key: randomBytes(32), file, context: 'recording:r1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(openSealedFile({ key, file, context: 'recording:r2' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await isSealedFile(path.join(dir, `plain-${n}`))).toBe(false);
    await expect(openSealedFile({ key, file: path.join(dir, `plain-${n}`), context: 'recording:r1' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('detect a flipped byte in a later chunk, a truncated file, and swapped chunks', async () => {
    const plain = randomBytes(200_000);
    const file = await sealed(plain);
    const good = await fs.readFile(file);
    // A flipped byte in the third chunk: the first chunks stream, then the stream fails.
    const flipped = Buffer.from(good);
    flipped[good.length - 100]! ^= 1;
    await fs.writeFile(file, flipped);
    await expect(readAll(file)).rejects.toThrow();
    // Cut off the last chunk: refused by its size before streaming.
    await fs.writeFile(file, good.subarray(0, good.length - 1000));
    await expect(readAll(file)).rejects.toMatchObject({ code: 'VALIDATION' });
    // Chunks 1 and 2 swapped (each 64 KiB + 16): the nonce carries the index, so chunk 1's place fails.
    const header = 6 + 7 + 4 + 8;
    const c = 65_536 + 16;
    const swapped = Buffer.concat([good.subarray(0, header + c), good.subarray(header + 2 * c, header + 3 * c), good.subarray(header + c, header + 2 * c), good.subarray(header + 3 * c)]);
    await fs.writeFile(file, swapped);
    await expect(readAll(file)).rejects.toThrow();
    await fs.writeFile(file, good);
    expect((await readAll(file)).data.equals(plain)).toBe(true);
  });

  it('leave no partial file when the source is missing', async () => {
    const to = path.join(dir, 'never.sealed');
    await expect(sealFile({ key, from: path.join(dir, 'missing'), to, context: 'x' })).rejects.toThrow();
    expect((await fs.readdir(dir)).filter((f) => f.includes('never'))).toEqual([]);
  });
});
