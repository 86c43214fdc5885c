/**
 * Backup and restore of a 1 GiB home volume (incompressible data) plus an
 * empty GenOS database, through the real `genos backup` code: restic to a
 * local folder, PostgreSQL, Docker. Its own instance, state dir, key file and
 * databases, all removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { ensureKeyringFile } from '@genos/db/keys';
import { createTestDatabase } from '@genos/db/testing';
import { backupContext, type BackupSettings } from '../apps/worker/src/backup/backup-context';
import { createBackup, restoreBackup } from '../apps/worker/src/backup/backup-service';
import { ensureHomeVolume, homeVolumeName } from '../apps/worker/src/security/home-volume';
import { freshBenchState, removeBenchState } from './runtime-bench';

type Results = Record<string, { value: number; unit: string }>;
const GIB = 1 << 30;

export async function benchBackup(opts: { databaseUrl: string; log?: (l: string) => void }): Promise<Results> {
  const log = opts.log ?? console.log;
  const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const state = await freshBenchState();
  const labels = { 'genos.instance': state.instance };
  const source = await createTestDatabase({ url: opts.databaseUrl });
  const target = await createTestDatabase({ url: opts.databaseUrl });
  const owner = `benchbackup${Date.now().toString(36)}`;
  try {
    const kekFile = path.join(state.stateDir, 'keys', 'kek.json');
    await ensureKeyringFile(kekFile);
    const settings = (url: string): BackupSettings => ({
      DATABASE_URL: url,
      GENOS_KEK_FILE: kekFile,
      GENOS_INSTANCE: state.instance,
      GENOS_STATE_DIR: state.stateDir,
      GENOS_BACKUP_DIR: path.join(state.stateDir, 'repo'),
      hostName: 'bench',
      dockerSocket: '/var/run/docker.sock',
      labels,
      recipesDir: path.join(state.stateDir, 'no-recipes'),
      settingsFile: path.join(state.stateDir, 'no-settings'),
    });
    await source.prisma.user.create({ data: { id: owner, email: `${owner}@genos.bench` } });
    await ensureHomeVolume(docker, owner, labels);
    const home = (await docker.getVolume(homeVolumeName(owner)).inspect()).Mountpoint;
    // 1 GiB that neither compresses nor deduplicates: 64 files of 16 MiB of random bytes.
    for (let i = 0; i < 64; i++) await pipeline(Readable.from((function* () { for (let j = 0; j < 16; j++) yield randomBytes(1 << 20); })()), createWriteStream(path.join(home, `data-${i}.bin`)));
    const made = await createBackup(backupContext(settings(source.url), source.prisma), { trigger: 'manual', actor: { kind: 'system' } });
    const repoBytes = Number(execFileSync('du', ['-sb', settings(source.url).GENOS_BACKUP_DIR]).toString().split('\t')[0]);
    log(`backup ${made.seconds.toFixed(1)} s, ${(made.bytes / GIB).toFixed(2)} GiB read, repository ${(repoBytes / GIB).toFixed(2)} GiB`);
    await docker.getVolume(homeVolumeName(owner)).remove();
    const restored = await restoreBackup(backupContext(settings(target.url), target.prisma), { force: false, actor: { kind: 'system' } });
    log(`restore ${restored.seconds.toFixed(1)} s`);
    return {
      backup_1gib_s: { value: Number(made.seconds.toFixed(2)), unit: 's' },
      restore_1gib_s: { value: Number(restored.seconds.toFixed(2)), unit: 's' },
      backup_1gib_repository_mib: { value: Math.round(repoBytes / (1 << 20)), unit: 'MiB' },
    };
  } finally {
    await docker.getVolume(homeVolumeName(owner)).remove().catch(() => {});
    await source.drop();
    await target.drop();
    await removeBenchState(state, log);
    await fs.rm(state.stateDir, { recursive: true, force: true });
  }
}
