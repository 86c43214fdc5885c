// `genos pitr …`: point-in-time recovery of the deployment's database
// (packages/db/src/pitr). Runs on the GenOS host as root, against the
// embedded PostgreSQL: the server says where its data directory is.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isAppError } from '@genos/core';
import { enableWalArchiving, freeLoopbackPort, pgServerTools, recoverToTime, serverDataDirectory, takeBaseBackup } from '@genos/db/pitr';
import { PITR_USAGE } from './pitr-usage';

const env = z.object({
  DATABASE_URL: z.string().url('DATABASE_URL must be set (source scripts/load-env.sh)'),
  GENOS_INSTANCE: z.string().regex(/^[a-z0-9-]{1,32}$/).default('default'),
  GENOS_WAL_ARCHIVE_DIR: z.string().startsWith('/').optional(),
  GENOS_BASE_BACKUP_DIR: z.string().startsWith('/').optional(),
});


export async function pitrMain(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { restart: { type: 'boolean', default: false }, to: { type: 'string' }, from: { type: 'string' }, into: { type: 'string' } } });
  const e = env.parse(process.env);
  const archiveDir = e.GENOS_WAL_ARCHIVE_DIR ?? `/var/lib/genos/wal-archive/${e.GENOS_INSTANCE}`;
  const baseBackups = e.GENOS_BASE_BACKUP_DIR ?? `/var/lib/genos/base-backups/${e.GENOS_INSTANCE}`;
  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  try {
    const tools = await pgServerTools();
    switch (positionals[0]) {
      case 'enable': {
        const r = await enableWalArchiving({ url: e.DATABASE_URL, archiveDir, runAs: tools.runAs });
        if (r.restartNeeded && flags.restart) await tools.restart(await serverDataDirectory(e.DATABASE_URL));
        print({ archiveDir, restartNeeded: r.restartNeeded && !flags.restart, restarted: r.restartNeeded && flags.restart });
        return 0;
      }
      case 'base-backup': {
        const target = path.join(baseBackups, new Date().toISOString().replace(/[:.]/g, '-'));
        print({ ...(await takeBaseBackup({ url: e.DATABASE_URL, dataDir: await serverDataDirectory(e.DATABASE_URL), target })), path: target });
        return 0;
      }
      case 'recover': {
        const args = z.object({ to: z.coerce.date(), from: z.string().startsWith('/'), into: z.string().startsWith('/') }).parse(flags);
        const port = await freeLoopbackPort();
        const url = new URL(e.DATABASE_URL);
        url.port = String(port);
        const r = await recoverToTime({ baseBackup: args.from, archiveDir, dataDir: args.into, targetTime: args.to, pgCtl: tools.pgCtl, port, url: url.toString(), logFile: `${args.into}.log`, runAs: tools.runAs });
        url.password = '';
        print({ recoveredTo: args.to.toISOString(), dataDir: args.into, port, address: url.toString(), seconds: Number(r.seconds.toFixed(2)) });
        return 0;
      }
      default:
        console.error(`usage:\n${PITR_USAGE}`);
        return 1;
    }
  } catch (err) {
    if (isAppError(err) || err instanceof z.ZodError) {
      console.error(`genos pitr: ${err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : err.message}`);
      return 2;
    }
    throw err;
  }
}
