import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateKeyEncryptionKey, type DataKeyRecord, type DataKeyRepository, type KeyHolder, type RecordAudit } from '@genos/core';
import { createKeyService } from './envelope-key-service.ts';
import { ensureKeyringFile, fileKeyring } from './file-keyring.ts';

/** The DataKey table, in memory (a fake: the Prisma one is covered by key-service.integration.test.ts). */
function fakeDataKeys(): DataKeyRepository & { rows: DataKeyRecord[] } {
  const rows: DataKeyRecord[] = [];
  return {
    rows,
    find: async (purpose, objectId) => rows.find((r) => r.purpose === purpose && r.objectId === objectId) ?? null,
    insert: async (rec) => {
      const existing = rows.find((r) => r.purpose === rec.purpose && r.objectId === rec.objectId);
      if (existing) return existing;
      const row = { ...rec, createdAt: new Date(), rotatedAt: null };
      rows.push(row);
      return row;
    },
    delete: async (purpose, objectId) => {
      const i = rows.findIndex((r) => r.purpose === purpose && r.objectId === objectId);
      if (i >= 0) rows.splice(i, 1);
    },
    listByKek: async (kekId, limit) => rows.filter((r) => r.kekId === kekId).slice(0, limit),
    countByKek: async (kekId) => rows.filter((r) => r.kekId === kekId).length,
    rewrap: async (id, from, to, wrapped) => {
      const r = rows.find((x) => x.id === id && x.kekId === from);
      if (!r) return false;
      Object.assign(r, { kekId: to, wrapped, rotatedAt: new Date() });
      return true;
    },
  };
}

let dir: string;
let file: string;
let audits: { action: string; targetId: string | null; after?: unknown }[];
const audit: RecordAudit = async (a) => {
  audits.push({ action: a.action, targetId: a.targetId, after: a.after });
};
const actor = { kind: 'system' as const };
const totp = (userId: string) => ({ purpose: 'user.totp', objectId: userId });

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-keys-'));
  file = path.join(dir, 'keys', 'kek.json');
  audits = [];
  await ensureKeyringFile(file);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('file keyring', () => {
  it('is made once, readable by its owner only', async () => {
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const before = await fs.readFile(file, 'utf8');
    expect(await ensureKeyringFile(file)).toBe(false);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(await fileKeyring(file).list()).toEqual([expect.objectContaining({ active: true })]);
  });

  it('refuses a keyring others can read', async () => {
    await fs.chmod(file, 0o644);
    await expect(fileKeyring(file).list()).rejects.toThrow(/chmod 600/);
  });
});

describe('envelope key service', () => {
  it('seals a secret so the stored text holds no trace of it, and opens it again', async () => {
    const keys = createKeyService({ keks: fileKeyring(file), dataKeys: fakeDataKeys(), audit });
    const sealed = await keys.seal(totp('u1'), 'JBSWY3DPEHPK3PXP', actor);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(Buffer.from(sealed.split(':')[2]!, 'base64url').toString('latin1')).not.toContain('JBSWY3DPEHPK3PXP');
    expect(keys.isSealed(sealed)).toBe(true);
    expect(keys.isSealed('JBSWY3DPEHPK3PXP')).toBe(false);
    expect(await keys.open(totp('u1'), sealed, actor)).toBe('JBSWY3DPEHPK3PXP');
    expect(audits.map((a) => a.action)).toEqual(['key.data.create', 'key.use', 'key.use']);
  });

  it('gives each object its own data key: a value copied to another row does not open', async () => {
    const dataKeys = fakeDataKeys();
    const keys = createKeyService({ keks: fileKeyring(file), dataKeys, audit });
    const a = await keys.seal(totp('alice'), 'secret-a', actor);
    await keys.seal(totp('bob'), 'secret-b', actor);
    expect(new Set(dataKeys.rows.map((r) => Buffer.from(r.wrapped).toString('hex'))).size).toBe(2);
    await expect(keys.open(totp('bob'), a, actor)).rejects.toThrow(/another object's key/);
  });

  it("refuses another deployment's key file", async () => {
    const dataKeys = fakeDataKeys();
    const sealed = await createKeyService({ keks: fileKeyring(file), dataKeys, audit }).seal(totp('u1'), 's3cret', actor);
    const other = path.join(dir, 'other.json');
    await ensureKeyringFile(other);
    await expect(createKeyService({ keks: fileKeyring(other), dataKeys, audit }).open(totp('u1'), sealed, actor)).rejects.toThrow(/not in/);
  });

  it('forgets a destroyed object for good', async () => {
    const keys = createKeyService({ keks: fileKeyring(file), dataKeys: fakeDataKeys(), audit });
    const sealed = await keys.seal(totp('u1'), 's3cret', actor);
    await keys.destroy(totp('u1'), actor);
    await expect(keys.open(totp('u1'), sealed, actor)).rejects.toThrow(/no data key/);
  });
});

describe('rotation', () => {
  it('re-wraps every data key under a new KEK without touching the data, then retires the old KEK', async () => {
    const keks = fileKeyring(file);
    const dataKeys = fakeDataKeys();
    const keys = createKeyService({ keks, dataKeys, audit });
    const sealed = await Promise.all(['a', 'b', 'c'].map((u) => keys.seal(totp(u), `secret-${u}`, actor)));
    const [old] = await keks.list();
    const result = await rotateKeyEncryptionKey({ keks, dataKeys, audit, actor });
    expect(result).toMatchObject({ rewrapped: 3, retired: [old!.id], kept: [] });
    expect(dataKeys.rows.every((r) => r.kekId === result.newKekId)).toBe(true);
    expect(await keks.list()).toEqual([expect.objectContaining({ id: result.newKekId, active: true })]);
    expect(await fs.readFile(file, 'utf8')).not.toContain(old!.id);
    // The stored values are the same bytes and still open.
    for (const [i, u] of ['a', 'b', 'c'].entries()) expect(await keys.open(totp(u), sealed[i]!, actor)).toBe(`secret-${u}`);
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['key.kek.create', 'key.rewrap', 'key.kek.retire']));
  });

  it('keeps the old KEK while a holder still depends on it, and retires it on the next rotation', async () => {
    const keks = fileKeyring(file);
    const dataKeys = fakeDataKeys();
    let reachable = false;
    let holderKek = (await keks.list())[0]!.id;
    const holder: KeyHolder = {
      name: 'backup repository',
      countUsing: async (kekId) => (kekId === holderKek ? 1 : 0),
      rewrap: async (from) => {
        if (!reachable) throw new Error('unreachable');
        if (from !== holderKek) return 0;
        holderKek = (await keks.list()).find((k) => k.active)!.id;
        return 1;
      },
    };
    const first = await rotateKeyEncryptionKey({ keks, dataKeys, holders: [holder], audit, actor });
    expect(first.retired).toEqual([]);
    expect(first.kept).toEqual([expect.objectContaining({ reason: expect.stringContaining('backup repository: unreachable') })]);
    expect(await keks.list()).toHaveLength(2);
    reachable = true;
    const second = await rotateKeyEncryptionKey({ keks, dataKeys, holders: [holder], audit, actor });
    expect(second.retired).toHaveLength(2);
    expect(await keks.list()).toEqual([expect.objectContaining({ id: second.newKekId })]);
    expect(audits.filter((a) => a.action === 'key.kek.kept')).toHaveLength(1);
  });
});
