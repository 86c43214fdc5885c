import os from 'node:os';
import Dockerode from 'dockerode';
import { recoverInterruptedEnvironments, refillPools, registerHost, scheduleQueued } from '@genos/core';
import { createBoss, createPrismaClient, createPrismaStore, bossEnqueue, ensureHostQueues, ensurePoolOwner, ensureQueues, recordImage } from '@genos/db';
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
// Register before taking work: the scheduler only places environments on hosts it knows.
const hostInfo = {
    id: env.GENOS_HOST_NAME,
    cpuCapacity: (env.GENOS_HOST_CPUS ?? os.cpus().length) * env.GENOS_CPU_OVERCOMMIT,
    memoryMiB: env.GENOS_HOST_MEMORY_MIB ?? Math.max(512, Math.floor(os.totalmem() / 2 ** 20) - 2048),
    runtimes: ['docker'],
    guacdHost: env.GUACD_HOST,
    guacdPort: env.GUACD_PORT,
    version: process.env.npm_package_version ?? null,
};
const host = await registerHost({ store, host: hostInfo });
await ensureHostQueues(boss, host.id);
log.info({ host: host.id, cpuCapacity: host.cpuCapacity, memoryMiB: host.memoryMiB }, 'host registered');
const poolOwnerId = await ensurePoolOwner(prisma);
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
  poolOwnerId,
  log,
});

// Heartbeats keep the host schedulable; a missed one (marked down by a reaper) means re-register.
const heartbeat = setInterval(() => {
  void store.hosts
    .heartbeat(host.id)
    .then(async (alive) => {
      if (!alive) {
        log.warn({ host: host.id }, 'host was marked down: registering again');
        await registerHost({ store, host: hostInfo });
      }
    })
    .catch((err) => log.error({ err }, 'heartbeat failed'));
}, env.GENOS_HEARTBEAT_MS);
// Every worker runs the scheduler and pool refill on a timer too, so queued work
// starts when capacity frees even if the event that freed it was missed.
const ticker = setInterval(() => {
  void store
    .transaction((tx) => scheduleQueued({ tx }))
    .then(() => refillPools({ store, poolOwnerId }))
    .catch((err) => log.error({ err }, 'scheduler tick failed'));
}, env.GENOS_HEARTBEAT_MS);
log.info({ host: env.GENOS_HOST_NAME }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  clearInterval(heartbeat);
  clearInterval(ticker);
  await handlers.stop();
  await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
  await driver.bridges.closeAll();
  await prisma.$disconnect();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
