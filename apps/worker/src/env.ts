import os from 'node:os';
import { z } from 'zod';
import { checkHops, hopSettingsShape } from '@genos/db/remote-hops';
import { HOST_ID, hostIdFrom } from '@genos/core';
import { DEFAULT_GUACD_USER } from './display/guacd-access';

/** Every setting the worker reads, validated once at start. */
const schema = z.object({
  DATABASE_URL: z.string().url(),
  // The host's id in the scheduler and in its queue names.
  GENOS_HOST_NAME: z.string().regex(HOST_ID, 'host names are lowercase letters, digits and dashes (at most 40)').default(hostIdFrom(os.hostname())),
  // Schedulable capacity: vCPUs = cores x overcommit (KVM and cloud hosts overcommit); memory keeps 2 GiB for the host.
  GENOS_CPU_OVERCOMMIT: z.coerce.number().positive().max(16).default(4),
  GENOS_HOST_CPUS: z.coerce.number().positive('the host needs more than zero CPUs').max(4096).optional(),
  GENOS_HOST_MEMORY_MIB: z.coerce.number().int().min(512, 'a host needs at least 512 MiB of memory').optional(),
  // guacd and the database: TLS required to other machines (packages/db/src/remote-hops).
  ...hopSettingsShape,
  // The user guacd runs as on this host: guacd then opens the desktops' display sockets itself (a user this host lacks: loopback bridges).
  GENOS_GUACD_USER: z.string().default(DEFAULT_GUACD_USER),
  GENOS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  // How often the worker records its host's use and readiness for the Hosts page's chart.
  GENOS_HOST_SAMPLE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  // A host silent this long is marked down by the other workers (default: 4 heartbeats, at least 5 s; all workers should agree).
  GENOS_HOST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).optional(),
  // How often the worker compares the database with what Docker really runs.
  GENOS_RECONCILE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  // How long a tor-mode desktop's gateway may take to connect before its owner is told Tor is unreachable.
  GENOS_TOR_BOOTSTRAP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(90_000),
  // Separates deployments sharing one Docker engine (the test suite runs as 'test').
  GENOS_INSTANCE: z.string().regex(/^[a-z0-9-]{1,32}$/).default('default'),
  GENOS_STATE_DIR: z.string().min(1).optional(),
  DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  // Scheduled backups (the schedule itself is set by admins): the key-encryption key file (unset: no scheduled
  // backups), a local folder (default /var/lib/genos/backups/<instance>) or any restic repository (s3:https://…).
  GENOS_KEK_FILE: z.string().min(1).optional(),
  GENOS_BACKUP_DIR: z.string().startsWith('/', 'GENOS_BACKUP_DIR must be an absolute path').optional(),
  GENOS_BACKUP_REPOSITORY: z.string().regex(/^(\/|s3:|sftp:|rest:|b2:|azure:|gs:|swift:|rclone:)/, 'GENOS_BACKUP_REPOSITORY must be a restic repository (s3:https://host/bucket/path, or a folder)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  GENOS_PROVISION_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  // Tor Browser for app layers (images/build-app-layer.ts reads them): a tarball's https URL, pinned by its
  // sha256, or an absolute path on this host. Unset: Tor Browser is not offered (set it for the web app too).
  GENOS_TOR_BROWSER_SOURCE: z.string().min(1).optional(),
  GENOS_TOR_BROWSER_SHA256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'GENOS_TOR_BROWSER_SHA256 must be 64 hex digits').optional(),
  // The ops server (/healthz, /readyz, /metrics): loopback only unless an admin opens it. Its port defaults to
  // the web app's PORT + 1 (3001), so stacks side by side (npm run up, e2e, bench) never take the same one.
  GENOS_WORKER_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  GENOS_WORKER_OPS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  PORT: z.coerce.number().int().min(1).max(65_534).default(3000),
}).superRefine(checkHops);

export type WorkerEnv = z.infer<typeof schema> & { GENOS_STATE_DIR: string; GENOS_WORKER_OPS_PORT: number; GENOS_BACKUP_DIR: string };

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`worker configuration is invalid:\n${lines}`);
  }
  return {
    ...parsed.data,
    GENOS_STATE_DIR: parsed.data.GENOS_STATE_DIR ?? `/var/lib/genos/${parsed.data.GENOS_INSTANCE}`,
    GENOS_WORKER_OPS_PORT: parsed.data.GENOS_WORKER_OPS_PORT ?? parsed.data.PORT + 1,
    GENOS_BACKUP_DIR: parsed.data.GENOS_BACKUP_DIR ?? `/var/lib/genos/backups/${parsed.data.GENOS_INSTANCE}`,
  };
}
