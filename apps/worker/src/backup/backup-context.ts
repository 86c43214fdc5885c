import path from 'node:path';
import Dockerode from 'dockerode';
import { auditedKeks, auditThrough } from '@genos/core';
import { createPrismaStore, type PrismaClient } from '@genos/db';
import { prismaBackupRuns } from '@genos/db/backup';
import { fileKeyring } from '@genos/db/keys';
import type { BackupContext } from './backup-service';
import { resticRepository } from './restic-repository';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..', '..');

/** Backup settings, validated by the caller's env.ts (the CLI's and the worker's). */
export interface BackupSettings {
  DATABASE_URL: string;
  GENOS_KEK_FILE: string;
  GENOS_INSTANCE: string;
  GENOS_STATE_DIR: string;
  /** A local folder (the default) … */
  GENOS_BACKUP_DIR: string;
  /** … or any restic repository (s3:https://host/bucket/path with restic's AWS_* variables), which wins. */
  GENOS_BACKUP_REPOSITORY?: string;
  hostName: string;
  dockerSocket: string;
  /** Extra labels for home volumes a restore makes (tests). */
  labels?: Record<string, string>;
  /** Default: this checkout's docker/ folder and .data/genos.env (tests use their own). */
  recipesDir?: string;
  settingsFile?: string;
}

/** Everything a backup command needs, on one database and one key file. */
export function backupContext(settings: BackupSettings, prisma: PrismaClient): BackupContext & { keks: ReturnType<typeof fileKeyring> } {
  const keks = fileKeyring(settings.GENOS_KEK_FILE);
  const audit = auditThrough(createPrismaStore({ prisma, enqueue: async () => null }));
  const location = settings.GENOS_BACKUP_REPOSITORY ?? settings.GENOS_BACKUP_DIR;
  const repositoryKeks = auditedKeks({ keks, audit, actor: { kind: 'system', id: null } });
  return {
    keks,
    databaseUrl: settings.DATABASE_URL,
    repository: resticRepository({ location, keks: repositoryKeks }),
    runs: prismaBackupRuns(prisma),
    audit,
    host: settings.hostName,
    docker: new Dockerode({ socketPath: settings.dockerSocket }),
    instance: settings.GENOS_INSTANCE,
    stateDir: settings.GENOS_STATE_DIR,
    recipesDir: settings.recipesDir ?? path.join(repoRoot, 'docker'),
    settingsFile: settings.settingsFile ?? path.join(repoRoot, '.data', 'genos.env'),
    labels: settings.labels,
  };
}
