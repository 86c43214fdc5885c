import os from 'node:os';
import Dockerode from 'dockerode';
import { createWorkInProgress, guacdAdvisory, homeVolumeKey, reapHosts, reconcileHost, recordHostSample, refillPools, registerHost, scheduleQueued } from '@genos/core';
import { createBoss, createPrismaClient, createPrismaStore, bossEnqueue, ensureHostQueues, ensurePoolOwner, ensureQueues, recordImage } from '@genos/db';
import { HOST_LABEL, INSTANCE_LABEL } from './docker/container-config';
import { createDockerDriver } from './docker/docker-driver';
import { transferKeysOf } from './security/encrypted-transfer';
import { libvirtDriverIfAvailable } from './libvirt/available';
import { createDriverRegistry } from './runtime/driver-registry';
import { restoreDisplayBridges } from './display/restore-display-bridges';
import { readGuacdVersion } from './display/guacd-version';
import { resolveGuacdHop } from '@genos/db/remote-hops';
import { ensureBaseImage } from './images/build-base-image';
import { registerHandlers } from './jobs/register-handlers';
import { registerImageBuildHandler } from './jobs/image-build-handler';
import { startLifetimePolicy, suspendResumeHandlers } from './jobs/suspend-resume-handlers';
import { assertSocketPathsFit } from '@genos/db/state-dir';
import { loadEnv } from './env';
import { createLogger } from './logger';
import { RepeatedErrors } from './reconcile/repeated-errors';
import { watchTorGateway } from './docker/network/watch-tor-gateway';
import { watchDesktopExits } from './reconcile/watch-desktop-exits';
import { startWorkerOps } from './ops/ops-server';
import { workerReadinessChecks } from './ops/worker-checks';
import { createWorkerMetrics } from './ops/worker-metrics';
import { prismaBackupRuns } from '@genos/db/backup';
import { backupContext } from './backup/backup-context';
import { startScheduledBackups } from './backup/scheduled-backups';
import { keyServiceFor } from '@genos/db/keys';

/** Refuses to start with a clear message (no stack trace) and a non-zero exit. */
function fatal(message: string): never {
  process.stderr.write(`genos worker cannot start: ${message}\n`);
  process.exit(1);
}

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
  // A state dir too deep for unix sockets would fail every desktop later, with a misleading error.
  assertSocketPathsFit(env.GENOS_STATE_DIR);
} catch (e) {
  fatal((e as Error).message);
}
const log = createLogger(env.LOG_LEVEL);

const prisma = createPrismaClient(env.DATABASE_URL);
const boss = createBoss(env.DATABASE_URL);
boss.on('error', (err) => log.error({ err }, 'queue error'));
const docker = new Dockerode({ socketPath: env.DOCKER_SOCKET });
// Home volumes and Transfer folders are gocryptfs directories, each under its own data key (every use audited).
const homeKeyService = env.GENOS_KEK_FILE ? keyServiceFor({ prisma, kekFile: env.GENOS_KEK_FILE }).keys : null;
// On everything this worker makes (Docker and libvirt alike): its instance and its host.
const labels = { [INSTANCE_LABEL]: env.GENOS_INSTANCE, [HOST_LABEL]: env.GENOS_HOST_NAME };
const dockerDriver = createDockerDriver({
  docker,
  stateDir: env.GENOS_STATE_DIR,
  labels,
  onImageReady: (img) => recordImage(prisma, { ...img, status: 'ready' }),
  guacdUser: env.GENOS_GUACD_USER,
  homeKeys: homeKeyService ? (ownerId) => homeVolumeKey({ keys: homeKeyService, ownerId, actor: { kind: 'worker' } }) : undefined,
  // Transfer folders too, each under its desktop's own key; without a key file they are plain (said below).
  transferKeys: homeKeyService ? transferKeysOf(homeKeyService, { kind: 'worker' }) : undefined,
});
// VMs (spec.runtime 'vm') through libvirt when this host has KVM; containers stay on the Docker driver.
const vmDriver = await libvirtDriverIfAvailable({
  stateDir: env.GENOS_STATE_DIR,
  bridges: dockerDriver.bridges,
  labels,
  guacdUser: env.GENOS_GUACD_USER,
  log,
});
if (!homeKeyService) log.warn('no GENOS_KEK_FILE: Transfer folders are kept unencrypted, and desktops with a home volume are refused');
const driver = createDriverRegistry({ docker: dockerDriver, libvirt: vmDriver });
const store = createPrismaStore({ prisma, enqueue: bossEnqueue(boss) });
// /healthz, /readyz, /metrics from the start: while the worker starts (an image build can take minutes) it answers unready.
// How this worker reaches guacd (its own unix socket here, TLS elsewhere): for readiness and the version probe.
const guacdHop = resolveGuacdHop(env);
const metrics = createWorkerMetrics({ prisma, store, stateDir: env.GENOS_STATE_DIR });
const ops = await startWorkerOps({
  metrics,
  log,
  host: env.GENOS_WORKER_OPS_HOST,
  port: env.GENOS_WORKER_OPS_PORT,
  checks: workerReadinessChecks({ prisma, boss, docker, guacd: guacdHop, libvirt: Boolean(vmDriver) }),
}).catch((e: Error) => fatal(`the ops server cannot listen on ${env.GENOS_WORKER_OPS_HOST}:${env.GENOS_WORKER_OPS_PORT} (GENOS_WORKER_OPS_HOST, GENOS_WORKER_OPS_PORT): ${e.message}`));
log.info({ host: env.GENOS_WORKER_OPS_HOST, port: ops.port }, 'ops server listening (/healthz, /readyz, /metrics)');

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
    runtimes: driver.runtimes,
    guacdHost: env.GUACD_HOST,
    guacdPort: env.GUACD_PORT,
    version: process.env.npm_package_version ?? null,
    guacdVersion: await readGuacdVersion(guacdHop),
};
{
  const advisory = guacdAdvisory(hostInfo.guacdVersion);
  if (advisory) log.warn({ guacdVersion: hostInfo.guacdVersion }, advisory);
}
const host = await registerHost({ store, host: hostInfo }).catch((e: Error) => fatal(e.message));
await ensureHostQueues(boss, host.id);
log.info({ host: host.id, cpuCapacity: host.cpuCapacity, memoryMiB: host.memoryMiB }, 'host registered');
const poolOwnerId = await ensurePoolOwner(prisma);
// Make the database and Docker agree before taking jobs. Nothing is in flight yet,
// so anything still provisioning here was cut off by a crash. A resource that cannot
// be repaired is reported (once while it keeps failing the same way) and never stops
// the worker: the next run tries again.
const repeated = new RepeatedErrors();
// Environments a host job is working on right now (registerHandlers fills it): reconcile leaves them to it.
const busy = createWorkInProgress();
const reconcile = async (atStart: boolean) => {
  const report = await reconcileHost({ store, driver, hostName: host.id, atStart, busy });
  for (const r of report.removed) log.warn({ environmentId: r.environmentId, reason: r.reason }, 'reconcile: removed a sandbox the database does not account for');
  for (const r of report.failed) log.warn({ environmentId: r.environmentId, reason: r.reason }, 'reconcile: marked environment failed and removed its sandbox');
  if (report.back.length) log.warn({ environments: report.back }, 'reconcile: host is back, environments reachable again');
  for (const e of repeated.fresh(report.errors)) log.error({ environmentId: e.environmentId, step: e.step, error: e.error }, 'reconcile: could not repair (retried every run, reported again only if the error changes)');
  // Bridges live in this process: bring back the ones of desktops that kept running.
  if (atStart || report.back.length) {
    await restoreDisplayBridges({ prisma, driver, hostName: host.id, log, ids: atStart ? undefined : report.back }).catch((err) => log.error({ err }, 'reconcile: could not restore display bridges'));
  }
  return report;
};
await reconcile(true).catch((err) => log.error({ err }, 'reconcile at start failed; retrying on the next run'));
const handlers = await registerHandlers({
  boss,
  store,
  driver,
  hostName: env.GENOS_HOST_NAME,
  databaseUrl: env.DATABASE_URL,
  concurrency: env.GENOS_PROVISION_CONCURRENCY,
  poolOwnerId,
  log,
  extra: suspendResumeHandlers({ store, driver, log }),
  busy,
  metrics,
  // A tor-mode desktop whose gateway cannot reach Tor says so on its page, instead of pages that never load.
  onRunning: (e) => {
    if (e.spec.runtime === 'container' && e.spec.network.mode === 'tor') watchTorGateway({ docker, store, environmentId: e.id, timeoutMs: env.GENOS_TOR_BOOTSTRAP_TIMEOUT_MS, log });
  },
});
// Admins' image builds (shared queue): any worker with Docker runs them, logging into the Image row.
await registerImageBuildHandler({ boss, store, docker, log });
// Idle desktops are warned then suspended, old ones warned then ended (every 15 s, this host's only).
const lifetimePolicy = startLifetimePolicy({ store, driver, hostName: host.id, log, busy });
// Scheduled backups when this worker has the key file; admins set the schedule on the Backups page.
const backups = env.GENOS_KEK_FILE
  ? startScheduledBackups({ ctx: backupContext({ ...env, GENOS_KEK_FILE: env.GENOS_KEK_FILE, hostName: env.GENOS_HOST_NAME, dockerSocket: env.DOCKER_SOCKET }, prisma), runs: prismaBackupRuns(prisma), log })
  : null;
// A minute of this host's use and readiness for the Hosts page's chart (kept a day; no metrics server needed).
const sampleHost = () =>
  void ops
    .readiness()
    .then((readiness) => recordHostSample({ store, hostId: host.id, readiness }))
    .catch((err) => log.warn({ err }, 'host sample not recorded'));
sampleHost();
const hostSampler = setInterval(sampleHost, env.GENOS_HOST_SAMPLE_MS);

// Heartbeats keep the host schedulable; a missed one (marked down by a reaper) means re-register.
const heartbeat = setInterval(() => {
  void store.hosts
    .heartbeat(host.id)
    .then(async (alive) => {
      if (!alive) {
        log.warn({ host: host.id }, 'host was marked down: registering again');
        await registerHost({ store, host: hostInfo });
        reconcileSoon();
      }
    })
    .catch((err) => log.error({ err }, 'heartbeat failed'));
}, env.GENOS_HEARTBEAT_MS);
// Every worker runs the scheduler and pool refill on a timer too, so queued work
// starts when capacity frees even if the event that freed it was missed.
// The reaper runs first: hosts that stopped answering are marked down and their work reported or re-queued.
// Four missed heartbeats (20 s at the default 5 s, as HOST_HEARTBEAT_TIMEOUT_MS), never under 5 s.
const hostTimeoutMs = env.GENOS_HOST_TIMEOUT_MS ?? Math.max(4 * env.GENOS_HEARTBEAT_MS, 5000);
const ticker = setInterval(() => {
  void reapHosts({ store, timeoutMs: hostTimeoutMs })
    .then((r) => {
      if (r.down.length || r.failed.length || r.lost.length || r.requeued.length) log.warn(r, 'hosts stopped answering: marked down, their environments reported');
    })
    .then(() => store.transaction((tx) => scheduleQueued({ tx })))
    .then(() => refillPools({ store, poolOwnerId }))
    .catch((err) => log.error({ err }, 'scheduler tick failed'));
}, env.GENOS_HEARTBEAT_MS);
// Sandboxes that died, orphans, hosts that came back: compare again every so often.
// At most one run at a time; a request during a run (a desktop died meanwhile) runs once more after it.
let reconciling = false;
let again = false;
function reconcileSoon() {
  if (reconciling) {
    again = true;
    return;
  }
  reconciling = true;
  void reconcile(false)
    .catch((err) => log.error({ err }, 'reconcile failed'))
    .finally(() => {
      reconciling = false;
      if (again) {
        again = false;
        reconcileSoon();
      }
    });
}
const reconciler = setInterval(reconcileSoon, env.GENOS_RECONCILE_MS);
// A desktop that dies or is removed from outside is noticed at once, not at the next 30 s tick.
const exits = watchDesktopExits({ docker, labels, onExit: reconcileSoon, log });
// One bad promise somewhere must not take the worker (and every desktop's provisioning) down with it.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
log.info({ host: env.GENOS_HOST_NAME }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  clearInterval(heartbeat);
  clearInterval(hostSampler);
  clearInterval(ticker);
  lifetimePolicy.stop();
  backups?.stop();
  clearInterval(reconciler);
  exits.stop();
  await handlers.stop();
  await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
  await driver.bridges.closeAll();
  await ops.close();
  await prisma.$disconnect();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
