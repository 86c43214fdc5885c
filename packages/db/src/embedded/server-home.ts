// Where the embedded PostgreSQL keeps its cluster and runs its binaries from.
//
// PostgreSQL refuses to run as root, so as root the server runs as `postgres`,
// which must be able to enter every folder on the way to its data and to its
// binaries. A clone under /root (0700) would otherwise need its owner to open
// up their home folder. So, as root, both live under /var/lib/genos/postgres:
// the binaries copied once per PostgreSQL version, the cluster in a folder of
// this checkout's own (two checkouts never share a cluster). As another user
// the server runs as that user, and `<repo>/.data/pg` stays the place.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../paths.ts';
import type { PgBinaries } from './binaries.ts';
import { isRoot } from './os-user.ts';

export const SYSTEM_PG_ROOT = '/var/lib/genos/postgres';

/** A stable name for this checkout: its folder's name and a hash of its path. */
export function checkoutId(root = repoRoot): string {
  return `${path.basename(root).replace(/[^A-Za-z0-9_.-]/g, '_')}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
}

/**
 * The default cluster folder. An existing `<repo>/.data/pg` (made by an
 * earlier version) is kept where it is.
 */
export function defaultDataDir(): string {
  const legacy = path.join(repoRoot, '.data', 'pg');
  if (!isRoot() || existsSync(path.join(legacy, 'PG_VERSION'))) return legacy;
  return path.join(SYSTEM_PG_ROOT, checkoutId(), 'pg');
}

/**
 * The binaries at a path the server's user can reach. As root they are copied
 * (once per version, ~60 MB, atomically) out of node_modules, which may sit
 * under a folder only root may enter.
 */
export function reachableBinaries(bins: PgBinaries): PgBinaries {
  if (!isRoot()) return bins;
  const native = path.resolve(path.dirname(bins.pg_ctl), '..');
  const version = readVersion(native);
  const target = path.join(SYSTEM_PG_ROOT, `bin-${version}`);
  if (!existsSync(path.join(target, 'bin', 'pg_ctl'))) {
    mkdirSync(SYSTEM_PG_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(SYSTEM_PG_ROOT, 0o755);
    const staging = `${target}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    renameSync(staging, target);
  }
  return {
    initdb: path.join(target, 'bin', 'initdb'),
    pg_ctl: path.join(target, 'bin', 'pg_ctl'),
    postgres: path.join(target, 'bin', 'postgres'),
  };
}

function readVersion(native: string): string {
  // The platform package's own version names the copy (18.4.0-beta.17).
  try {
    return JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return createHash('sha256').update(native).digest('hex').slice(0, 12);
  }
}
