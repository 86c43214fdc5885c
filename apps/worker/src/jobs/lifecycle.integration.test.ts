import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvironment,
  DEFAULT_SPEC,
  destroyEnvironment,
  provisionEnvironment,
  recoverInterruptedEnvironments,
  terminateEnvironment,
  transitionEnvironment,
  type Actor,
  type Store,
} from '@genos/core';
import type { PgBoss } from '@genos/db';
import { createWorkerTestBed, freshTestState, type TestDatabase } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { probeGuacd } from '../display/guacd-probe';

// The worker's use-cases against real PostgreSQL, Docker and guacd.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('lifecycle');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const HOST = 'lifecycle-test-host';
let db: TestDatabase;
let boss: PgBoss;
let store: Store;
let user: Actor;

const statesOf = async (id: string) =>
  (await db.prisma.environmentEvent.findMany({ where: { environmentId: id }, orderBy: { at: 'asc' } })).map((e) => e.toState);
const containerExists = (id: string) =>
  docker.getContainer(`genos-env-${id}`).inspect().then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  ({ db, boss, store, user } = await createWorkerTestBed({ hostId: HOST, email: 'lifecycle@genos.test' }));
});

afterAll(async () => {
  try {
    // Leave nothing behind even when a test failed half-way: every sandbox of this run's instance.
    for (const s of await driver.list().catch(() => [])) await driver.terminate(s).catch(() => undefined);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    await boss?.stop({ graceful: false });
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('environment lifecycle on the real engine', () => {
  it('provisions to running with a streamable display, then terminates cleanly, recording every step', async () => {
    const env = await createEnvironment({ store, actor: user, spec: DEFAULT_SPEC, request: 'test' });
    const running = await provisionEnvironment({ store, driver, id: env.id, hostName: HOST });
    expect(running?.state).toBe('running');
    expect(running?.runtimeRef).toBe(`genos-env-${env.id}`);
    const probe = await probeGuacd({ guacd: { host: '127.0.0.1', port: 4822 }, display: running!.displayEndpoint! });
    expect(probe.firstImgMs).toBeGreaterThan(0);

    // A redelivered job is a no-op: no second container, no extra event.
    expect(await provisionEnvironment({ store, driver, id: env.id, hostName: HOST })).toBeNull();

    await terminateEnvironment({ store, actor: user, id: env.id });
    const ended = await destroyEnvironment({ store, driver, id: env.id });
    expect(ended?.state).toBe('terminated');
    expect(await containerExists(env.id)).toBe(false);
    expect(await statesOf(env.id)).toEqual(['requested', 'provisioning', 'running', 'terminated']);
    const audit = await db.prisma.auditLog.findMany({ where: { targetId: env.id } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['environment.create', 'environment.provisioning', 'environment.running', 'environment.terminate.requested', 'environment.terminated']),
    );
  });

  it('launches an app an admin added to the database catalog, with nothing loaded into the process beforehand', async () => {
    // Preinstalled (its command is in the base image), so no app layer is built: what counts is that
    // provisioning itself read the row and the desktop was told to launch the row's command.
    await db.prisma.catalogApp.create({
      data: { id: 'genos-admin-added', name: 'Admin Added', aliases: [], generic: [], category: 'utility', packages: [], command: 'xterm -title admin-added', needsNetwork: false, needsDesktop: true, needsVm: false, preinstalled: true, source: 'admin' },
    });
    const env = await createEnvironment({ store, actor: user, spec: { ...DEFAULT_SPEC, apps: ['genos-admin-added'] }, request: 'admin-added app' });
    const running = await provisionEnvironment({ store, driver, id: env.id, hostName: HOST });
    expect(running?.state).toBe('running');
    const container = await docker.getContainer(`genos-env-${env.id}`).inspect();
    expect(container.Config.Env).toContain('GENOS_APPS=xterm -title admin-added');
    expect(container.Config.Env).toContain('GENOS_APP_NAMES=Admin Added');
    await terminateEnvironment({ store, actor: user, id: env.id });
    await destroyEnvironment({ store, driver, id: env.id });
    expect(await containerExists(env.id)).toBe(false);
  });

  it('fails with a clear error, and leaves no container, when the desktop cannot start', async () => {
    const env = await createEnvironment({ store, actor: user, spec: { ...DEFAULT_SPEC, packages: ['genos-no-such-package'] } });
    const failed = await provisionEnvironment({ store, driver, id: env.id, hostName: HOST });
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toMatch(/genos-no-such-package/);
    expect(await containerExists(env.id)).toBe(false);
  });

  it('recovers provisioning cut off by a worker crash: sandbox removed, state failed', async () => {
    const env = await createEnvironment({ store, actor: user, spec: DEFAULT_SPEC });
    // What a crash leaves behind: state provisioning on this host and a half-made container.
    await store.transaction((tx) => transitionEnvironment({ tx, id: env.id, to: 'provisioning', actor: { kind: 'worker' }, patch: { host: HOST } }));
    const { runtimeRef } = await driver.create({ environmentId: env.id, spec: DEFAULT_SPEC });
    expect(await containerExists(env.id)).toBe(true);

    expect(await recoverInterruptedEnvironments({ store, driver, hostName: HOST })).toEqual([env.id]);
    expect(await containerExists(env.id)).toBe(false);
    const after = await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(after.state).toBe('failed');
    expect(after.error).toMatch(/interrupted/);
    expect(runtimeRef).toBe(`genos-env-${env.id}`);
  });
});
