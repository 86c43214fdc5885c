// ensurePostgres(): a PostgreSQL server GenOS can use, started if needed.
//
// - DATABASE_URL set: only check that it answers, and return it.
// - Otherwise: the embedded PostgreSQL 18 binaries, 127.0.0.1:54329, user
//   `genos`, database `genos`, password generated once into `<data>-password`.
//   Data in <repo>/.data/pg, or as root under /var/lib/genos/postgres (see
//   server-home.ts: the server's own user must reach it wherever the clone
//   is). The server is started detached and keeps running after this process
//   exits; a second call just connects (~10 ms).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { pgBinaries } from './binaries.ts';
import { withFileLock } from './file-lock.ts';
import { ensureServerUser, initCluster } from './init-cluster.ts';
import { assertUserCanReach, pgRunAs } from './os-user.ts';
import { defaultDataDir, reachableBinaries } from './server-home.ts';
import { readOrCreatePassword } from './password-file.ts';
import { probe, redactUrl, waitForServer } from './probe.ts';
import { startServer } from './start-server.ts';

export const DEFAULT_PG_PORT = 54329;
/** The default cluster folder (as root: under /var/lib/genos/postgres, see server-home.ts). */
export const DEFAULT_PG_DATA_DIR = defaultDataDir();
const DB_USER = 'genos';
const DB_NAME = 'genos';

export interface EnsurePostgresOptions {
  /** Cluster directory; default DEFAULT_PG_DATA_DIR. Password file and log sit next to it. */
  dataDir?: string;
  port?: number;
  /** Progress messages (default: silent). */
  log?: (message: string) => void;
}

export interface EnsurePostgresResult {
  url: string;
  /** true when this call started the server. */
  started: boolean;
}

export async function ensurePostgres(options: EnsurePostgresOptions = {}): Promise<EnsurePostgresResult> {
  const log = options.log ?? (() => {});
  const external = process.env.DATABASE_URL;
  if (external) {
    const result = await probe(external, 5000);
    if (result.state !== 'ok') {
      const why = result.state === 'error' ? result.error.message : result.state === 'down' ? result.reason : result.state;
      throw new Error(`DATABASE_URL (${redactUrl(external)}) does not answer: ${why}`);
    }
    return { url: external, started: false };
  }

  const dataDir = path.resolve(options.dataDir ?? DEFAULT_PG_DATA_DIR);
  const port = options.port ?? DEFAULT_PG_PORT;
  const base = path.join(path.dirname(dataDir), path.basename(dataDir));
  const passwordFile = `${base}-password`; // .data/pg-password
  const logFile = `${base}.log`; // .data/pg.log
  const lockFile = `${base}.lock`;
  const initialised = () => existsSync(path.join(dataDir, 'PG_VERSION'));

  // Warm path: a running server answers at once.
  if (existsSync(passwordFile) && initialised()) {
    const url = makeUrl(readOrCreatePassword(passwordFile, true), port);
    const result = await probe(url);
    if (result.state === 'ok') return { url, started: false };
    if (result.state === 'error') throw describeProbeError(result.error, port);
  }

  mkdirSync(path.dirname(dataDir), { recursive: true });
  return withFileLock(lockFile, 120_000, async () => {
    const password = readOrCreatePassword(passwordFile, initialised());
    const url = makeUrl(password, port);

    // Another process may have done the work while we waited for the lock.
    let state = await probe(url);
    if (state.state === 'ok') return { url, started: false };

    let started = false;
    if (state.state === 'down') {
      const bins = reachableBinaries(await pgBinaries());
      if (!initialised()) {
        log(`initialising PostgreSQL cluster in ${dataDir}`);
        assertUserCanReach(ensureServerUser(), dataDir);
        await initCluster({ initdb: bins.initdb, dataDir, port, user: DB_USER, password });
      }
      log(`starting PostgreSQL on 127.0.0.1:${port} (log: ${logFile})`);
      await startServer({ pgCtl: bins.pg_ctl, dataDir, logFile, port, runAs: pgRunAs() });
      started = true;
      state = await waitForServer(url, 30_000);
    } else if (state.state === 'starting') {
      state = await waitForServer(url, 30_000);
    }

    if (state.state === 'no-database') {
      log(`creating database ${DB_NAME}`);
      await createDatabase(url, DB_NAME);
      state = await probe(url);
    }
    if (state.state === 'error') throw describeProbeError(state.error, port);
    if (state.state !== 'ok') throw new Error(`PostgreSQL on port ${port} did not come up (${state.state}); see ${logFile}`);
    return { url, started };
  });
}

function makeUrl(password: string, port: number): string {
  return `postgresql://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`;
}

function describeProbeError(error: Error, port: number): Error {
  return new Error(
    `Something answers on 127.0.0.1:${port} but refuses the GenOS credentials (${error.message}). ` +
      'Is another PostgreSQL using that port? Pass another port or set DATABASE_URL.',
    { cause: error },
  );
}

async function createDatabase(url: string, name: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (e) {
    if ((e as { code?: string }).code !== '42P04') throw e; // already exists: fine
  } finally {
    await client.end();
  }
}
