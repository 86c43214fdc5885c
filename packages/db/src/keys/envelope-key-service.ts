// Envelope encryption: every object gets its own random 256-bit data key,
// stored only wrapped by a key-encryption key (KEK). Values are sealed with
// AES-256-GCM under the data key, bound to their object (AAD), so a sealed
// value copied onto another row does not open.
import { randomBytes } from 'node:crypto';
import { AppError, type Actor, type DataKeyRepository, type KeyEncryptionKeys, type KeyRef, type KeyService, type RecordAudit } from '@genos/core';
import { openBytes, sealBytes } from './file-keyring.ts';

const PREFIX = 'gk1';
const SEALED = /^gk1:([a-z0-9]+):([A-Za-z0-9_-]+)$/;
const contextOf = (ref: KeyRef) => `${ref.purpose}:${ref.objectId}`;

export function createKeyService(opts: { keks: KeyEncryptionKeys; dataKeys: DataKeyRepository; audit: RecordAudit }): KeyService {
  const { keks, dataKeys, audit } = opts;
  const used = (actor: Actor, id: string, ref: KeyRef, op: string, kekId: string) =>
    audit({ actor, action: 'key.use', targetType: 'data-key', targetId: id, after: { purpose: ref.purpose, objectId: ref.objectId, op, kekId } });

  /** The object's data key in the clear, made and stored wrapped on first use. */
  async function load(ref: KeyRef, actor: Actor, op: string, create: boolean): Promise<{ id: string; key: Buffer }> {
    let row = await dataKeys.find(ref.purpose, ref.objectId);
    if (!row) {
      if (!create) throw new AppError('NOT_FOUND', `no data key for ${contextOf(ref)}`);
      const key = randomBytes(32);
      const { kekId, wrapped } = await keks.wrap(key, contextOf(ref));
      row = await dataKeys.insert({ id: randomBytes(12).toString('hex'), purpose: ref.purpose, objectId: ref.objectId, kekId, wrapped });
      await audit({ actor, action: 'key.data.create', targetType: 'data-key', targetId: row.id, after: { purpose: ref.purpose, objectId: ref.objectId, kekId } });
    }
    const key = Buffer.from(await keks.unwrap(row.kekId, row.wrapped, contextOf(ref)));
    await used(actor, row.id, ref, op, row.kekId);
    return { id: row.id, key };
  }

  return {
    async seal(ref, plaintext, actor) {
      const { id, key } = await load(ref, actor, 'seal', true);
      const box = sealBytes(key, Buffer.from(plaintext, 'utf8'), `value:${contextOf(ref)}`);
      key.fill(0);
      return `${PREFIX}:${id}:${box.toString('base64url')}`;
    },
    async open(ref, sealed, actor) {
      const m = SEALED.exec(sealed);
      if (!m) throw new AppError('VALIDATION', `the stored value for ${contextOf(ref)} is not sealed`);
      const { id, key } = await load(ref, actor, 'open', false);
      if (id !== m[1]) throw new AppError('FORBIDDEN', `the stored value for ${contextOf(ref)} was sealed with another object's key`);
      try {
        return openBytes(key, Buffer.from(m[2]!, 'base64url'), `value:${contextOf(ref)}`).toString('utf8');
      } catch {
        throw new AppError('FORBIDDEN', `the stored value for ${contextOf(ref)} does not open with its key`);
      } finally {
        key.fill(0);
      }
    },
    isSealed: (value) => SEALED.test(value),
    async dataKey(ref, actor) {
      return (await load(ref, actor, 'raw', true)).key;
    },
    async destroy(ref, actor) {
      const row = await dataKeys.find(ref.purpose, ref.objectId);
      if (!row) return;
      await dataKeys.delete(ref.purpose, ref.objectId);
      await audit({ actor, action: 'key.data.destroy', targetType: 'data-key', targetId: row.id, after: { purpose: ref.purpose, objectId: ref.objectId } });
    },
  };
}
