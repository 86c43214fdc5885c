import type { Actor, Tx } from '../ports/store';

/** A key-encryption key as anyone may see it: never its material. */
export interface KekInfo {
  id: string;
  createdAt: Date;
  /** The KEK new data keys are wrapped with (exactly one is active). */
  active: boolean;
}

/**
 * Where key-encryption keys live. GenOS ships a file keyring (packages/db,
 * `GENOS_KEK_FILE`, mode 0600); an external KMS (Vault transit, AWS KMS,
 * a PKCS#11 module) implements the same calls with the keys never leaving
 * it: wrap/unwrap are its encrypt/decrypt, derive its HMAC.
 */
export interface KeyEncryptionKeys {
  readonly kind: string;
  list(): Promise<KekInfo[]>;
  /** Wraps a data key with the active KEK; `context` is bound into the result (AAD). */
  wrap(dataKey: Uint8Array, context: string): Promise<{ kekId: string; wrapped: Uint8Array }>;
  /** Fails when the KEK is unknown (retired) or the wrapped bytes or context do not match. */
  unwrap(kekId: string, wrapped: Uint8Array, context: string): Promise<Uint8Array>;
  /** A secret derived from one KEK for `context` (HMAC-SHA256): for stores that keep their own key file, such as restic. */
  derive(kekId: string, context: string): Promise<Uint8Array>;
  /** Makes a new KEK the active one. */
  create(): Promise<KekInfo>;
  /** Destroys a KEK's material. Refuses the active one. */
  retire(kekId: string): Promise<void>;
}

/** One object's data key, as stored: wrapped. */
export interface DataKeyRecord {
  id: string;
  purpose: string;
  objectId: string;
  kekId: string;
  wrapped: Uint8Array;
  createdAt: Date;
  rotatedAt: Date | null;
}

/** Persistence of data keys (packages/db implements it on the DataKey table). */
export interface DataKeyRepository {
  find(purpose: string, objectId: string): Promise<DataKeyRecord | null>;
  /** Inserts, or returns the row another writer inserted first for the same object. */
  insert(rec: { id: string; purpose: string; objectId: string; kekId: string; wrapped: Uint8Array }): Promise<DataKeyRecord>;
  delete(purpose: string, objectId: string): Promise<void>;
  listByKek(kekId: string, limit: number): Promise<DataKeyRecord[]>;
  countByKek(kekId: string): Promise<number>;
  /** Compare-and-set: replaces the wrapping only while the row is still wrapped by `fromKekId`. */
  rewrap(id: string, fromKekId: string, toKekId: string, wrapped: Uint8Array): Promise<boolean>;
}

/** Writes one audit row (the Store's writer: `auditThrough(store)`). */
export type RecordAudit = (a: Parameters<Tx['audit']['record']>[0]) => Promise<void>;

/** What a data key protects: `purpose` names the kind, `objectId` the one object. */
export interface KeyRef {
  purpose: string;
  objectId: string;
}

/**
 * Anything holding material wrapped by (or derived from) a KEK besides the
 * data-key table, e.g. the backup repository's restic key. Rotation asks
 * each holder to move off the old KEK before that KEK is retired.
 */
export interface KeyHolder {
  readonly name: string;
  /** How many of its keys still depend on `kekId` (0: none). */
  countUsing(kekId: string): Promise<number>;
  /** Moves every key depending on `fromKekId` to the active KEK; returns how many moved. */
  rewrap(fromKekId: string): Promise<number>;
}

/**
 * The narrow interface everything that encrypts uses: a value sealed under
 * its object's own data key, and the raw data key for tools that encrypt on
 * their own (restic, gocryptfs). Every use is audited (`key.use`).
 */
export interface KeyService {
  /** Encrypts a string for one object; the result is text safe to store in a column. */
  seal(ref: KeyRef, plaintext: string, actor: Actor): Promise<string>;
  /** Decrypts what seal returned for the same object; throws on anything else. */
  open(ref: KeyRef, sealed: string, actor: Actor): Promise<string>;
  /** Whether a stored value is sealed (used by the one-off step that encrypts old rows). */
  isSealed(value: string): boolean;
  /** The object's data key (made on first use). */
  dataKey(ref: KeyRef, actor: Actor): Promise<Uint8Array>;
  /** Forgets the object's data key: what it sealed can never be read again. */
  destroy(ref: KeyRef, actor: Actor): Promise<void>;
}
