// The driver adapter the WASM schema engine talks to PostgreSQL through:
// @prisma/adapter-pg plus the fixes the engine needs, our own shadow
// databases, and a way to close everything afterwards.
//
// Fixes (all observed here with adapter-pg 7.10.1, pg 8.23, PostgreSQL 18):
// - `"char"` columns (OID 18, e.g. pg_class.relkind in introspection queries)
//   make adapter-pg throw, and the engine fails with "Column type 'char'
//   could not be deserialized". We read them as text and report
//   ColumnTypeEnum.Character. (`name`, OID 19, adapter-pg 7.10 already maps.)
// - adapter-pg's connectToShadowDb() creates a shadow database but its pool
//   is { connectionString, database }, and pg lets the connection string win:
//   `SELECT current_database()` on that "shadow" adapter returns the MAIN
//   database. So we create, connect to and drop the shadow database ourselves.
// - executeScript() in adapter-pg splits scripts on every ";" and runs the
//   pieces on whatever pool connection is free, which breaks ";" inside
//   strings or $$ bodies. Scripts are sent whole, as one simple-protocol
//   query on one connection (as Prisma's native engine does); PostgreSQL then
//   runs a multi-statement migration atomically.
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

type PgField = { dataTypeID: number };
type PgQueryResult = { fields: PgField[]; rows: unknown[][] };
type Queryable = {
  queryRaw(q: SqlQuery): Promise<{ columnTypes: number[] }>;
  performIO(q: SqlQuery): Promise<PgQueryResult>;
  startTransaction?(isolationLevel?: string): Promise<Queryable>;
};

/** Report `"char"` columns as Character instead of failing the query. */
function patchCharColumns<T extends object>(target: T): T {
  const q = target as unknown as Queryable;
  // queryRaw() calls this.performIO(query) and maps fields to column types.
  // We note which columns were "char" (keyed by the query object, which both
  // calls share), present them as text, then fix the reported types.
  const charColumns = new WeakMap<SqlQuery, number[]>();
  const performIO = q.performIO.bind(q);
  const queryRaw = q.queryRaw.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    const indexes: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID === CHAR_OID) {
        field.dataTypeID = TEXT_OID;
        indexes.push(i);
      }
    });
    if (indexes.length > 0) charColumns.set(query, indexes);
    return result;
  };
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(query) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    charColumns.delete(query);
    return result;
  };
  if (q.startTransaction) {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (level) => patchCharColumns(await startTransaction(level));
  }
  return target;
}

/** Run a whole script as one simple-protocol query on a single connection. */
function patchExecuteScript(adapter: SqlDriverAdapter, connectionString: string): SqlDriverAdapter {
  adapter.executeScript = async (script: string) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await client.query(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    } finally {
      await client.end();
    }
  };
  return adapter;
}

/**
 * PostgreSQL errors in the shape adapter-pg reports them, so the engine
 * prints "ERROR: type ... does not exist" and records it in
 * _prisma_migrations.logs, instead of an opaque "External error id#0".
 */
function toDriverAdapterError(error: unknown): unknown {
  const e = error as { code?: unknown; severity?: string; message?: string; detail?: string; column?: string; hint?: string };
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code,
    severity: e.severity ?? 'ERROR',
    message: e.message ?? String(error),
    detail: e.detail,
    column: e.column,
    hint: e.hint,
  });
}

export interface MigrationAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Dispose every adapter the engine opened (the engine does not always). */
  closeAll(): Promise<void>;
}

export function createMigrationAdapterFactory(url: string): MigrationAdapterFactory {
  const inner = new PrismaPg({ connectionString: url });
  const open = new Set<SqlDriverAdapter>();

  const track = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      open.delete(adapter);
      await dispose();
    };
    open.add(adapter);
    return adapter;
  };

  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const adapter = await inner.connect();
      return track(patchExecuteScript(patchCharColumns(adapter), url));
    },
    async connectToShadowDb() {
      // Not inner.connectToShadowDb(): it would replay migrations into the
      // MAIN database (see the top of this file).
      const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
      await adminQuery(url, `CREATE DATABASE "${name}"`);
      const shadowUrl = withDatabase(url, name);
      try {
        const adapter = await new PrismaPg({ connectionString: shadowUrl }).connect();
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          await dispose();
          await adminQuery(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        };
        return track(patchExecuteScript(patchCharColumns(adapter), shadowUrl));
      } catch (error) {
        await adminQuery(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
        throw error;
      }
    },
    async closeAll() {
      await Promise.allSettled([...open].map((a) => a.dispose()));
    },
  };
}

/** `url` pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

/** One statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a pool transaction). */
async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
