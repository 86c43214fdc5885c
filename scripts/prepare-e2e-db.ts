/**
 * A fresh, migrated database for the browser tests, so they never touch the
 * data of a running GenOS. Prints `export E2E_DATABASE_URL=...` for eval.
 */
import pg from 'pg';
import { createBoss, ensureQueues } from '@genos/db';
import { applyMigrations } from '@genos/db/migrate';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL is not set (run scripts/setup.sh first)');
const name = process.argv[2] ?? 'genos_e2e';
if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();

const u = new URL(serverUrl);
u.pathname = `/${name}`;
const url = u.toString();
await applyMigrations(url, { log: () => {} });
const boss = createBoss(url);
await boss.start();
await ensureQueues(boss);
await boss.stop({ graceful: false });
console.log(`export E2E_DATABASE_URL='${url}'`);
process.exit(0);
