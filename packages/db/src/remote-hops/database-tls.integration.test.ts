import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../client.ts';
import { pgBinaries } from '../embedded/binaries.ts';
import { initCluster, ensureServerUser } from '../embedded/init-cluster.ts';
import { reachableBinaries } from '../embedded/server-home.ts';
import { startServer } from '../embedded/start-server.ts';
import { freePort } from '../testing/free-port.ts';
import { freshTestState, type FreshTestState } from '../testing/fresh-test-state.ts';

/**
 * What `sslmode=verify-full` (the setting GenOS requires for a database on
 * another machine, remote-hops/database-hop.ts) does through GenOS's own
 * client (Prisma over node-postgres), against a real PostgreSQL with TLS on:
 * the certificate's CA and name are checked, and a connection that fails
 * either check never sends the password or a query.
 */
let state: FreshTestState;
let dataDir = '';
let pgCtl = '';
let port = 0;
let pki = '';
const PASSWORD = 'tls-test-password';
const runAs = () => ensureServerUser();

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
const caFor = (name: string) => openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', path.join(pki, `${name}.key`), '-out', path.join(pki, `${name}.pem`));
const url = (host: string, ca: string) => `postgresql://genos:${PASSWORD}@${host}:${port}/postgres?sslmode=verify-full&sslrootcert=${path.join(pki, ca)}`;

beforeAll(async () => {
  state = await freshTestState('db-tls');
  pki = path.join(state.stateDir, 'pki');
  mkdirSync(pki);
  caFor('ca');
  caFor('other-ca');
  // The server's certificate names 127.0.0.1 only.
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=db', '-keyout', path.join(pki, 'server.key'), '-out', path.join(pki, 'server.csr'));
  writeFileSync(path.join(pki, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', path.join(pki, 'server.csr'), '-CA', path.join(pki, 'ca.pem'), '-CAkey', path.join(pki, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path.join(pki, 'san.ext'), '-out', path.join(pki, 'server.pem'));

  const bins = reachableBinaries(await pgBinaries());
  pgCtl = bins.pg_ctl;
  port = await freePort();
  const user = runAs();
  // The server user passes through the 0700 state dir to its own cluster folder.
  chmodSync(state.stateDir, 0o711);
  const clusterDir = path.join(state.stateDir, 'cluster');
  mkdirSync(clusterDir, { mode: 0o700 });
  if (user) chownSync(clusterDir, user.uid, user.gid);
  dataDir = path.join(clusterDir, 'pg');
  await initCluster({ initdb: bins.initdb, dataDir, port, user: 'genos', password: PASSWORD });
  for (const f of ['server.pem', 'server.key']) {
    writeFileSync(path.join(dataDir, f), readFileSync(path.join(pki, f)), { mode: 0o600 });
    if (user) chownSync(path.join(dataDir, f), user.uid, user.gid);
  }
  appendFileSync(path.join(dataDir, 'postgresql.conf'), "ssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'\n");
  await startServer({ pgCtl, dataDir, logFile: path.join(clusterDir, 'pg.log'), port, runAs: user });
}, 120_000);

afterAll(async () => {
  const user = runAs();
  if (dataDir) execFileSync(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], { uid: user?.uid, gid: user?.gid, stdio: 'ignore' });
  await state?.remove();
});

async function query(u: string): Promise<unknown> {
  const prisma = createPrismaClient(u);
  try {
    return await prisma.$queryRawUnsafe<{ ssl: boolean }[]>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  } finally {
    await prisma.$disconnect();
  }
}

describe('a database reached with sslmode=verify-full', () => {
  it('connects over TLS when the certificate names the host under the trusted CA', async () => {
    expect(await query(url('127.0.0.1', 'ca.pem'))).toEqual([{ ssl: true }]);
  });

  it('refuses a certificate for another name', async () => {
    await expect(query(url('localhost', 'ca.pem'))).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
  });

  it('refuses a certificate from a CA it was not told to trust', async () => {
    await expect(query(url('127.0.0.1', 'other-ca.pem'))).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });
});
