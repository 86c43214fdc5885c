import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvironment,
  DEFAULT_SPEC,
  enforceLifetimePolicy,
  hostQueue,
  isAppError,
  mintConnectionToken,
  performResume,
  performSuspend,
  provisionEnvironment,
  recordInput,
  resumeEnvironment,
  suspendEnvironment,
  terminateEnvironment,
  type Actor,
  type Store,
} from '@genos/core';
import type { PgBoss } from '@genos/db';
import { createWorkerTestBed, freshTestState, type TestDatabase } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { probeGuacd } from '../display/guacd-probe';

// Suspend, resume and the lifetime policy against real PostgreSQL, Docker and guacd.
const run = promisify(execFile);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('suspend-resume');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const HOST = 'suspend-test-host';
const MINUTE = 60_000;
let db: TestDatabase;
let boss: PgBoss;
let store: Store;
let user: Actor;

/** Runs a shell command in the desktop as its user (uid 1000), on its display. */
const inDesktop = async (ref: string, cmd: string) => (await run('docker', ['exec', '-u', '1000', '-e', 'DISPLAY=:0', ref, 'sh', '-c', cmd])).stdout;
const paused = async (ref: string) => (await docker.getContainer(ref).inspect()).State.Paused;
const row = (id: string) => db.prisma.environment.findUniqueOrThrow({ where: { id } });
const eventsOf = (id: string) => db.prisma.environmentEvent.findMany({ where: { environmentId: id }, orderBy: { at: 'asc' } });
const auditOf = (id: string) => db.prisma.auditLog.findMany({ where: { targetId: id }, orderBy: { at: 'asc' } });
const writes = async () => [await db.prisma.auditLog.count(), await db.prisma.environmentEvent.count(), await boss.getQueueSize(hostQueue('environment.suspend', HOST))];

async function waitForXterm(ref: string): Promise<string> {
  const until = Date.now() + 20_000;
  for (;;) {
    // Mapped, not only created: openbox gives the window its place and size when it shows it.
    const mapped = (await inDesktop(ref, 'xwininfo -name xterm 2>/dev/null || true')).includes('IsViewable');
    const tree = await inDesktop(ref, 'xwininfo -root -tree');
    const line = tree.split('\n').find((l) => /xterm/i.test(l));
    if (line && mapped) return line.trim();
    if (Date.now() > until) throw new Error(`no xterm window:\n${tree}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  ({ db, boss, store, user } = await createWorkerTestBed({ hostId: HOST, email: 'suspend@genos.test' }));
});

afterAll(async () => {
  try {
    // Leave nothing behind even when a test failed half-way: every sandbox of this run's instance.
    for (const s of await driver.list().catch(() => [])) await driver.terminate(s).catch(() => undefined);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    await driver.bridges.closeAll();
    await boss?.stop({ graceful: false });
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('suspend and resume on the real engine', () => {
  let id = '';
  let ref = '';

  it('suspends a running desktop (paused, recorded) and resumes the same one with its files, windows and display', async () => {
    const env = await createEnvironment({ store, actor: user, spec: DEFAULT_SPEC, request: 'suspend test' });
    const running = await provisionEnvironment({ store, driver, id: env.id, hostName: HOST });
    expect(running?.state).toBe('running');
    id = env.id;
    ref = running!.runtimeRef!;
    const containerId = (await docker.getContainer(ref).inspect()).Id;
    await inDesktop(ref, 'echo kept-across-suspend > /tmp/genos-suspend-check');
    const window = await waitForXterm(ref);

    // The user's request: audited and queued on the desktop's host, state unchanged until the host acts.
    const asked = await suspendEnvironment({ store, actor: user, id });
    expect(asked.state).toBe('running');
    expect(await boss.getQueueSize(hostQueue('environment.suspend', HOST))).toBe(1);

    const suspended = await performSuspend({ store, driver, id });
    expect(suspended?.state).toBe('suspended');
    expect(await paused(ref)).toBe(true);
    // Frozen: nothing runs inside a paused container.
    await expect(inDesktop(ref, 'true')).rejects.toThrow(/paused/i);
    // The display socket guacd opens stays for the resume.
    expect((await fs.stat(path.join(state.stateDir, 'displays', id, 'vnc.sock'))).isSocket()).toBe(true);

    // Both sides are idempotent: nothing new is queued or recorded.
    const before = await writes();
    expect((await suspendEnvironment({ store, actor: user, id })).state).toBe('suspended');
    expect((await performSuspend({ store, driver, id }))?.state).toBe('suspended');
    expect(await writes()).toEqual(before);
    // Connecting is refused with a clear reason; other users cannot resume it.
    await expect(mintConnectionToken({ store, actor: user, id, key: 'k'.repeat(32) })).rejects.toThrow(/suspended: resume it/);
    await expect(resumeEnvironment({ store, actor: { kind: 'user', id: 'someone-else' }, id })).rejects.toThrow(/no environment/);

    expect((await resumeEnvironment({ store, actor: user, id })).state).toBe('suspended');
    expect(await boss.getQueueSize(hostQueue('environment.resume', HOST))).toBe(1);
    const resumed = await performResume({ store, driver, id });
    expect(resumed?.state).toBe('running');
    expect(resumed?.lastInputAt).toBeInstanceOf(Date);
    expect(await paused(ref)).toBe(false);
    expect((await docker.getContainer(ref).inspect()).Id).toBe(containerId);
    expect((await inDesktop(ref, 'cat /tmp/genos-suspend-check')).trim()).toBe('kept-across-suspend');
    expect(await waitForXterm(ref)).toBe(window);
    const probe = await probeGuacd({ guacd: { host: '127.0.0.1', port: 4822 }, display: resumed!.displayEndpoint! });
    expect(probe.firstImgMs).toBeGreaterThan(0);
    expect((await resumeEnvironment({ store, actor: user, id })).state).toBe('running');

    expect((await eventsOf(id)).map((e) => e.toState)).toEqual(['requested', 'provisioning', 'running', 'suspended', 'running']);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['environment.suspend.requested', 'environment.suspended', 'environment.resume.requested', 'environment.running']),
    );
  });

  it('applies the lifetime policy: nothing too early, a warning cleared by input, then suspend and end', async () => {
    const start = await row(id);
    const resumedAt = start.lastInputAt!;
    const at = (minutes: number) => new Date(resumedAt.getTime() + minutes * MINUTE);

    const before = await writes();
    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: at(1) })).toEqual([]);
    expect(await writes()).toEqual(before);

    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: at(28.5) })).toEqual([{ id, action: 'warn-idle' }]);
    expect(await row(id)).toMatchObject({ state: 'running', warning: 'idle', warnedAt: at(28.5) });
    const warned = (await auditOf(id)).filter((a) => a.action === 'environment.warned');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ actorKind: 'system', after: { warning: 'idle', reason: 'no input for 29 minutes: suspending in 2 minutes' } });
    // Once per kind.
    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: at(29) })).toEqual([]);

    // Input clears the warning and restarts the idle clock.
    expect(await recordInput({ store, id, at: at(29) })).toBe(true);
    expect(await row(id)).toMatchObject({ warning: null, lastInputAt: at(29) });
    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: at(31) })).toEqual([]);

    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: at(29 + 31) })).toEqual([{ id, action: 'suspend' }]);
    expect((await row(id)).state).toBe('suspended');
    expect(await paused(ref)).toBe(true);
    const suspendEvent = (await eventsOf(id)).at(-1)!;
    expect(suspendEvent).toMatchObject({ toState: 'suspended', actorKind: 'system', reason: 'idle for 30 minutes' });
    expect((await auditOf(id)).at(-1)).toMatchObject({ action: 'environment.suspended', actorKind: 'system', after: { state: 'suspended', reason: 'idle for 30 minutes' } });
    // Input does not count while suspended.
    expect(await recordInput({ store, id, at: at(61) })).toBe(false);

    // A suspended desktop still ends at its limit.
    const limit = new Date(start.startedAt!.getTime() + 8 * 60 * MINUTE);
    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: new Date(limit.getTime() - MINUTE) })).toEqual([]);
    expect(await enforceLifetimePolicy({ store, driver, hostName: HOST, now: limit })).toEqual([{ id, action: 'terminate' }]);
    expect((await row(id)).state).toBe('terminated');
    expect((await eventsOf(id)).at(-1)).toMatchObject({ toState: 'terminated', actorKind: 'system', reason: 'reached its 8-hour limit' });
    await expect(docker.getContainer(ref).inspect()).rejects.toThrow();
    await expect(fs.stat(path.join(state.stateDir, 'displays', id))).rejects.toThrow(); // its display sockets went with it
  });

  it('refuses to suspend or resume an ended or unknown environment, writing nothing', async () => {
    const env = await createEnvironment({ store, actor: user, spec: DEFAULT_SPEC });
    await terminateEnvironment({ store, actor: user, id: env.id });
    const before = await writes();
    const resumeQueue = await boss.getQueueSize(hostQueue('environment.resume', HOST));
    for (const attempt of [suspendEnvironment, resumeEnvironment]) {
      const ended = await attempt({ store, actor: user, id: env.id }).catch((e: unknown) => e);
      expect(isAppError(ended) && ended.code).toBe('ILLEGAL_TRANSITION');
      expect((ended as Error).message).toMatch(/terminated/);
      const unknown = await attempt({ store, actor: user, id: 'nosuchenvironment' }).catch((e: unknown) => e);
      expect(isAppError(unknown) && unknown.code).toBe('NOT_FOUND');
    }
    expect(await writes()).toEqual(before);
    expect(await boss.getQueueSize(hostQueue('environment.resume', HOST))).toBe(resumeQueue);
    // The worker side of a job for an ended environment does nothing.
    expect((await performSuspend({ store, driver, id: env.id }))?.state).toBe('terminated');
    expect(await performResume({ store, driver, id: 'nosuchenvironment' })).toBeNull();
    expect(await writes()).toEqual(before);
  });
});
