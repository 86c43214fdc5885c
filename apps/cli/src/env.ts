import os from 'node:os';
import { z } from 'zod';

/**
 * Settings of the commands that run on the GenOS host itself (`keys`,
 * `backup`), validated once; `npx genos` loads .data/genos.env first
 * through scripts/load-env.sh, like the web app and the worker.
 */
const schema = z.object({
  DATABASE_URL: z.string().url('DATABASE_URL must be set (source scripts/load-env.sh)'),
  GENOS_KEK_FILE: z.string().min(1, 'GENOS_KEK_FILE must name the key-encryption key file (npm run setup makes it)'),
  GENOS_INSTANCE: z.string().regex(/^[a-z0-9-]{1,32}$/).default('default'),
  GENOS_STATE_DIR: z.string().min(1).optional(),
  // Backups go to a local folder by default, or to any restic repository (s3:https://host/bucket/path; restic reads AWS_* itself).
  GENOS_BACKUP_DIR: z.string().startsWith('/', 'GENOS_BACKUP_DIR must be an absolute path').optional(),
  GENOS_BACKUP_REPOSITORY: z.string().regex(/^(\/|s3:|sftp:|rest:|b2:|azure:|gs:|swift:|rclone:)/, 'GENOS_BACKUP_REPOSITORY must be a restic repository (s3:https://host/bucket/path, or a folder)').optional(),
  GENOS_HOST_NAME: z.string().min(1).default(os.hostname()),
  DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
});

export type OpsEnv = ReturnType<typeof opsEnv>;

export function opsEnv(source: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new Error(`configuration is invalid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const e = parsed.data;
  return {
    ...e,
    GENOS_STATE_DIR: e.GENOS_STATE_DIR ?? `/var/lib/genos/${e.GENOS_INSTANCE}`,
    GENOS_BACKUP_DIR: e.GENOS_BACKUP_DIR ?? `/var/lib/genos/backups/${e.GENOS_INSTANCE}`,
    hostName: e.GENOS_HOST_NAME,
    dockerSocket: e.DOCKER_SOCKET,
  };
}
