// Files encrypted at rest under their object's data key, readable as a
// stream. The layout follows the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizár; the one age and Tink's streaming AEAD use): the plaintext is
// cut into 64 KiB chunks, each sealed with AES-256-GCM under a nonce made of a
// random per-file prefix, the chunk's index and a flag marking the last chunk.
// Reordering, dropping, truncating or appending chunks all fail
// authentication, and every chunk also authenticates the header (with the
// plaintext's length and the file's context), so a file copied onto another
// object does not open either.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '@genos/core';

const MAGIC = Buffer.from('GNSF1\n', 'latin1');
const CHUNK = 64 * 1024;
const TAG = 16;
const PREFIX = 7;
/** magic, nonce prefix, chunk size (u32), plaintext length (u64). */
const HEADER = MAGIC.length + PREFIX + 4 + 8;

const nonceFor = (prefix: Buffer, index: number, last: boolean) => {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX);
  n[11] = last ? 1 : 0;
  return n;
};
const aadFor = (header: Buffer, context: string) => Buffer.concat([header, Buffer.from(context, 'utf8')]);

function sealChunk(key: Uint8Array, header: Buffer, context: string, prefix: Buffer, index: number, last: boolean, plain: Buffer) {
  const c = createCipheriv('aes-256-gcm', key, nonceFor(prefix, index, last));
  c.setAAD(aadFor(header, context));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

function openChunk(key: Uint8Array, header: Buffer, context: string, prefix: Buffer, index: number, last: boolean, sealed: Buffer) {
  if (sealed.length < TAG) throw new Error('short chunk');
  const d = createDecipheriv('aes-256-gcm', key, nonceFor(prefix, index, last));
  d.setAAD(aadFor(header, context));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}

/**
 * Encrypts `from` into `to` (written beside it under a temporary name, synced,
 * then renamed: `to` is either whole or absent). Returns the plaintext's size.
 * `context` names the object (e.g. `recording:<id>`) and must be given again to open it.
 */
export async function sealFile(opts: { key: Uint8Array; from: string; to: string; context: string }): Promise<{ bytes: number }> {
  const src = await fs.open(opts.from, constants.O_RDONLY | constants.O_NOFOLLOW);
  const tmp = path.join(path.dirname(opts.to), `.${path.basename(opts.to)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const { size } = await src.stat();
    const prefix = randomBytes(PREFIX);
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    prefix.copy(header, MAGIC.length);
    header.writeUInt32BE(CHUNK, MAGIC.length + PREFIX);
    header.writeBigUInt64BE(BigInt(size), MAGIC.length + PREFIX + 4);
    const out = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await out.write(header);
      const chunks = Math.max(1, Math.ceil(size / CHUNK));
      const buf = Buffer.alloc(CHUNK);
      for (let i = 0; i < chunks; i++) {
        const want = Math.min(CHUNK, size - i * CHUNK);
        const { bytesRead } = await src.read(buf, 0, want, i * CHUNK);
        if (bytesRead !== want) throw new AppError('CONFLICT', `${opts.from} changed while it was sealed`);
        await out.write(sealChunk(opts.key, header, opts.context, prefix, i, i === chunks - 1, buf.subarray(0, want)));
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await fs.rename(tmp, opts.to);
    return { bytes: size };
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    await src.close();
  }
}

/** Whether a file starts like a sealed file (cheap: reads the magic only). */
export async function isSealedFile(file: string): Promise<boolean> {
  const h = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!h) return false;
  try {
    const b = Buffer.alloc(MAGIC.length);
    const { bytesRead } = await h.read(b, 0, b.length, 0);
    return bytesRead === MAGIC.length && b.equals(MAGIC);
  } finally {
    await h.close();
  }
}

/**
 * Opens a sealed file for reading: its plaintext size (from the header, which
 * every chunk authenticates) and a stream of the plaintext, decrypted chunk by
 * chunk. The header is checked before this resolves (a wrong key or context,
 * or a file that is not sealed, fails here with FORBIDDEN / VALIDATION); a
 * chunk that fails later ends the stream with an error, so a reader never
 * gets bytes that were not authenticated.
 */
export async function openSealedFile(opts: { key: Uint8Array; file: string; context: string }): Promise<{ bytes: number; stream: Readable }> {
  const h = await fs.open(opts.file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const header = Buffer.alloc(HEADER);
    const { bytesRead } = await h.read(header, 0, HEADER, 0);
    if (bytesRead !== HEADER || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw new AppError('VALIDATION', `${path.basename(opts.file)} is not a sealed file`);
    const prefix = header.subarray(MAGIC.length, MAGIC.length + PREFIX);
    const chunkSize = header.readUInt32BE(MAGIC.length + PREFIX);
    const size = Number(header.readBigUInt64BE(MAGIC.length + PREFIX + 4));
    if (chunkSize !== CHUNK) throw new AppError('VALIDATION', `${path.basename(opts.file)} has an unknown chunk size`);
    const chunks = Math.max(1, Math.ceil(size / CHUNK));
    const readChunk = async (i: number) => {
      const want = Math.min(CHUNK, size - i * CHUNK) + TAG;
      const buf = Buffer.alloc(want);
      const r = await h.read(buf, 0, want, HEADER + i * (CHUNK + TAG));
      if (r.bytesRead !== want) throw new AppError('VALIDATION', `${path.basename(opts.file)} is truncated`);
      return openChunk(opts.key, header, opts.context, prefix, i, i === chunks - 1, buf);
    };
    // The first chunk now: a wrong key is an error to answer with, not a broken stream.
    let first: Buffer;
    try {
      first = await readChunk(0);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('FORBIDDEN', `${path.basename(opts.file)} does not open with its key`);
    }
    const { size: onDisk } = await h.stat();
    if (onDisk !== HEADER + size + chunks * TAG) throw new AppError('VALIDATION', `${path.basename(opts.file)} has ${onDisk} bytes, not the ${HEADER + size + chunks * TAG} its header says`);
    async function* plain() {
      try {
        yield first;
        for (let i = 1; i < chunks; i++) yield await readChunk(i);
      } finally {
        await h.close();
      }
    }
    return { bytes: size, stream: Readable.from(plain(), { objectMode: false }) };
  } catch (e) {
    await h.close();
    throw e;
  }
}
