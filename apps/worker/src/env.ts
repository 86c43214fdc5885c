import os from 'node:os';
import { z } from 'zod';

/** Every setting the worker reads, validated once at start. */
const schema = z.object({
  DATABASE_URL: z.string().url(),
  GENOS_HOST_NAME: z.string().min(1).default(os.hostname()),
  // Separates deployments sharing one Docker engine (the test suite runs as 'test').
  GENOS_INSTANCE: z.string().regex(/^[a-z0-9-]{1,32}$/).default('default'),
  GENOS_STATE_DIR: z.string().min(1).optional(),
  DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  GENOS_PROVISION_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
});

export type WorkerEnv = z.infer<typeof schema> & { GENOS_STATE_DIR: string };

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`worker configuration is invalid:\n${lines}`);
  }
  return { ...parsed.data, GENOS_STATE_DIR: parsed.data.GENOS_STATE_DIR ?? `/var/lib/genos/${parsed.data.GENOS_INSTANCE}` };
}
