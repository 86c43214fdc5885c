import Dockerode from 'dockerode';
import { recoverInterruptedEnvironments } from '@genos/core';
import { createBoss, createPrismaClient, createPrismaStore, bossEnqueue, ensureQueues, recordImage } from '@genos/db';
import { INSTANCE_LABEL } from './docker/container-config';
import { createDockerDriver } from './docker/docker-driver';
import { restoreDisplayBridges } from './display/restore-display-bridges';
import { ensureBaseImage } from './images/build-base-image';
import { registerHandlers } from './jobs/register-handlers';
import { loadEnv } from './env';
import { createLogger } from './logger';

const env = loadEnv();
const log = createLogger(env.LOG_LEVEL);

const prisma = createPrismaClient(env.DATABASE_URL);
const boss = createBoss(env.DATABASE_URL);
boss.on('error', (err) => log.error({ err }, 'queue error'));
const docker = new Dockerode({ socketPath: env.DOCKER_SOCKET });
const driver = createDockerDriver({
  docker,
  stateDir: env.GENOS_STATE_DIR,
  labels: { [INSTANCE_LABEL]: env.GENOS_INSTANCE },
  onImageReady: (img) => recordImage(prisma, { ...img, status: 'ready' }),
});
const store = createPrismaStore({ prisma, enqueue: bossEnqueue(boss) });

await docker.ping().catch((e) => {
  throw new Error(`cannot reach Docker at ${env.DOCKER_SOCKET}: ${(e as Error).message}`);
});
const base = await ensureBaseImage({ docker, onProgress: (line) => log.info(line) });
await recordImage(prisma, { kind: 'base', tag: base.tag, packages: [], status: 'ready', digest: base.id });
await boss.start();
await ensureQueues(boss);
// Nothing is in flight yet: anything still provisioning here was cut off by a crash.
const recovered = await recoverInterruptedEnvironments({ store, driver, hostName: env.GENOS_HOST_NAME });
if (recovered.length) log.warn({ recovered }, 'marked interrupted provisioning as failed and removed its sandboxes');
// Bridges live in this process: bring back the ones of desktops that kept running.
await restoreDisplayBridges({ prisma, driver, hostName: env.GENOS_HOST_NAME, log });
const handlers = await registerHandlers({
  boss,
  store,
  driver,
  hostName: env.GENOS_HOST_NAME,
  databaseUrl: env.DATABASE_URL,
  concurrency: env.GENOS_PROVISION_CONCURRENCY,
  log,
});
log.info({ host: env.GENOS_HOST_NAME }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  await handlers.stop();
  await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
  await driver.bridges.closeAll();
  await prisma.$disconnect();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
