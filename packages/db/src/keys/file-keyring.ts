// The file keyring: key-encryption keys in one JSON file (mode 0600), made by
// setup. Rotation adds a key and marks it active; retiring deletes an old
// key's material. Every change is written to a temporary file, synced and
// renamed over the old one, so a crash leaves either keyring, never half.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, type KekInfo, type KeyEncryptionKeys } from '@genos/core';

const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyringSchema = z.object({
  version: z.literal(1),
  active: z.string().min(1),
  keys: z.array(z.object({ id: z.string().regex(/^kek-[a-z0-9]+$/), key: z.string().min(40), createdAt: z.string() })).min(1),
});
type Keyring = z.infer<typeof keyringSchema>;

const newKey = () => ({ id: `kek-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() });

async function writeAtomically(file: string, ring: Keyring): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(ring, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Creates the keyring with one KEK when the file does not exist (setup). True when it made one. */
export async function ensureKeyringFile(file: string): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.access(file);
    return false;
  } catch {
    const first = newKey();
    await writeAtomically(file, { version: 1, active: first.id, keys: [first] });
    return true;
  }
}

function aesGcm(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

function aesGcmOpen(key: Buffer, box: Uint8Array, aad: string): Buffer {
  const buf = Buffer.from(box);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new AppError('VALIDATION', 'ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** AES-256-GCM with a fresh 96-bit IV: `iv | tag | ciphertext`, `aad` authenticated. */
export const sealBytes = aesGcm;
/** Opens what sealBytes made; throws when the key, bytes or aad differ. */
export const openBytes = aesGcmOpen;

/**
 * The keyring is re-read on each call (it is small), so a web app or worker
 * that runs while `genos keys rotate` changes it sees the new KEK at once.
 * A keyring readable by group or others is refused.
 */
export function fileKeyring(file: string): KeyEncryptionKeys {
  const read = async (): Promise<Keyring> => {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new AppError('UNAVAILABLE', `the key-encryption key file ${file} does not exist (run npm run setup, or restore it from its own backup)`);
    }
    if ((stat.mode & 0o077) !== 0) throw new AppError('FORBIDDEN', `the key-encryption key file ${file} must be readable by its owner only (chmod 600)`);
    const parsed = keyringSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    if (!parsed.success) throw new AppError('VALIDATION', `the key-encryption key file ${file} is not a GenOS keyring`);
    return parsed.data;
  };
  const material = (ring: Keyring, kekId: string): Buffer => {
    const k = ring.keys.find((x) => x.id === kekId);
    if (!k) throw new AppError('NOT_FOUND', `key-encryption key ${kekId} is not in ${file} (retired, or another deployment's key file)`);
    return Buffer.from(k.key, 'base64');
  };
  const info = (ring: Keyring): KekInfo[] => ring.keys.map((k) => ({ id: k.id, createdAt: new Date(k.createdAt), active: k.id === ring.active }));
  return {
    kind: 'file',
    list: async () => info(await read()),
    async wrap(dataKey, context) {
      const ring = await read();
      return { kekId: ring.active, wrapped: aesGcm(material(ring, ring.active), dataKey, `kek:${ring.active}:${context}`) };
    },
    async unwrap(kekId, wrapped, context) {
      const key = material(await read(), kekId);
      try {
        return aesGcmOpen(key, wrapped, `kek:${kekId}:${context}`);
      } catch {
        throw new AppError('FORBIDDEN', `a data key for ${context} does not open with key-encryption key ${kekId}`);
      }
    },
    async derive(kekId, context) {
      return createHmac('sha256', material(await read(), kekId)).update(`genos-derive:${context}`).digest();
    },
    async create() {
      const ring = await read();
      const k = newKey();
      await writeAtomically(file, { version: 1, active: k.id, keys: [...ring.keys, k] });
      return { id: k.id, createdAt: new Date(k.createdAt), active: true };
    },
    async retire(kekId) {
      const ring = await read();
      if (ring.active === kekId) throw new AppError('CONFLICT', `key-encryption key ${kekId} is the active one`);
      await writeAtomically(file, { ...ring, keys: ring.keys.filter((k) => k.id !== kekId) });
    },
  };
}
