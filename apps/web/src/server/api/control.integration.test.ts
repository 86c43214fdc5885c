import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPacer, DEFAULT_SPEC, transitionEnvironment, type ApiScope, type Store } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { authenticateApiToken, issueApiToken } from '../auth/api-tokens';
import { FakeDesktopAgent } from '../control/testing/fake-desktop-agent';
import { FakeDesktopEngine } from '../control/testing/fake-desktop-engine';
import { stagingDirFor, transferDirFor } from '../files/transfer';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// The control router through createCaller on a real, migrated PostgreSQL, with a FAKE engine
// (control/testing): the lease, refusals, pacing and the log. The engine itself is tested on real desktops.
let db: TestDatabase;
let store: Store;
let stateDir: string;
const engine = new FakeDesktopEngine();
const agent = new FakeDesktopAgent();
// One pacer for the whole file, as the web process has one.
const pacer = new ControlPacer({ ratePerSecond: 20, burst: 40 });
type Person = { id: string; email: string; name: string | null };
let alice: Person;
let bob: Person;

const callerFor = (user: Person, token?: { id: string; scopes: string[] } | null) =>
  createCaller(
    createInnerContext({
      user: { ...user, role: 'user' },
      token: token ?? null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store,
      tunnelKey: 'x'.repeat(32),
      control: engine,
      desktopAgent: agent,
      controlPacer: pacer,
      stateDir,
    }),
  );

async function tokenFor(user: Person, name: string, scopes: ApiScope[] = ['environments:control']) {
  const issued = await issueApiToken(db.prisma, { userId: user.id, role: 'user', name, ttlHours: 1, scopes });
  return (await authenticateApiToken(db.prisma, issued.token))!.token;
}

/** A running 1280×800 desktop of `owner` (no sandbox: the fake engine never connects); with an agent socket like a container desktop's when asked. */
async function runningDesktop(owner: Person, o: { agentSocket?: string } = {}): Promise<string> {
  return store.transaction(async (tx) => {
    const env = await tx.environments.insert({ name: 'control test', request: null, spec: { ...DEFAULT_SPEC, display: { ...DEFAULT_SPEC.display, width: 1280, height: 800 } }, ownerId: owner.id, teamId: null });
    await transitionEnvironment({ tx, id: env.id, to: 'provisioning', actor: { kind: 'worker' } });
    await transitionEnvironment({
      tx,
      id: env.id,
      to: 'running',
      actor: { kind: 'worker' },
      patch: { runtimeRef: 'control-none', startedAt: new Date(), displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 5999, password: 'pw', ...o } },
    });
    return env.id;
  });
}

/** The error a call failed with: tRPC's code and the domain's. */
async function failure(p: Promise<unknown>): Promise<{ code: string; appCode: string | null; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    const cause = e.cause as { name?: string; code?: string } | undefined;
    return { code: e.code, appCode: cause?.name === 'AppError' ? (cause.code ?? null) : null, message: e.message };
  }
  throw new Error('the call succeeded');
}

const audit = (environmentId: string, action: string) => db.prisma.auditLog.findMany({ where: { targetType: 'environment', targetId: environmentId, action }, orderBy: { at: 'asc' } });

beforeAll(async () => {
  db = await createTestDatabase();
  // Nothing here enqueues jobs.
  store = createPrismaStore({ prisma: db.prisma, enqueue: async () => 'no-queue' });
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'genos-control-'));
  alice = await db.prisma.user.create({ data: { email: 'alice@control.test', name: 'Alice Owner' } });
  bob = await db.prisma.user.create({ data: { email: 'bob@control.test' } });
});

afterAll(async () => {
  await db?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('the control lease', () => {
  it('grants a program the lease on its first call, names it in the status, and audits the grant', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    expect(await robot.control.status({ id })).toEqual({ holder: null, programsAllowed: true, suspendedProgram: null, lastProgram: null });
    expect(await robot.control.mouse({ id, action: 'click', x: 10, y: 20, button: 'left' })).toEqual({ x: 10, y: 20 });
    expect(await robot.control.keyboard({ id, keys: 'ctrl+alt+t Return' })).toMatchObject({ sent: 2 });
    expect(await robot.control.status({ id })).toMatchObject({ holder: { kind: 'program', name: 'token robot' } });
    // The target the engine got is what the tunnel would send guacd.
    expect(engine.targets.at(-1)).toMatchObject({ environmentId: id, width: 1280, height: 800, connection: { type: 'vnc', settings: { hostname: '127.0.0.1', port: '5999' } } });
    const granted = await audit(id, 'control.granted');
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({ actorId: alice.id, after: { holder: 'program', program: 'token robot' } });
  });

  it('suspends the program when the person takes over (CONTROL_TAKEN naming them) and returns control on hand-back', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    const person = callerFor(alice);
    await robot.control.keyboard({ id, text: 'hello' });

    const taken = await person.control.takeOver({ id });
    expect(taken).toMatchObject({ holder: { kind: 'person', name: 'Alice Owner' }, suspendedProgram: 'token robot' });
    const refused = await failure(robot.control.keyboard({ id, text: 'more' }));
    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'CONTROL_TAKEN' });
    expect(refused.message).toContain('Alice Owner');
    // Reading the screen is refused too: the program learns at once that it is not in control.
    expect(await failure(robot.control.screenshot({ id }))).toMatchObject({ appCode: 'CONTROL_TAKEN' });

    const back = await person.control.handBack({ id });
    expect(back).toMatchObject({ holder: { kind: 'program', name: 'token robot' }, suspendedProgram: null });
    expect(await robot.control.keyboard({ id, text: 'again' })).toEqual({ sent: 5 });

    expect(await audit(id, 'control.take_over')).toHaveLength(1);
    expect(await audit(id, 'control.hand_back')).toHaveLength(1);
    const denied = await audit(id, 'control.denied');
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(denied[0]).toMatchObject({ actorId: alice.id, after: { refused: 'CONTROL_TAKEN', reason: expect.stringContaining('Alice Owner') } });
  });

  it('refuses a second program while the first holds the lease, naming the holder', async () => {
    const id = await runningDesktop(alice);
    await callerFor(alice, await tokenFor(alice, 'first')).control.cursor({ id });
    const refused = await failure(callerFor(alice, await tokenFor(alice, 'second')).control.cursor({ id }));
    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'CONTROL_TAKEN' });
    expect(refused.message).toContain('token first');
  });

  it('refuses programs with FORBIDDEN once the owner forbids them, ending the lease; allowing them again works', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    await robot.control.cursor({ id });
    expect(await callerFor(alice).control.setProgramsAllowed({ id, allowed: false })).toMatchObject({ programsAllowed: false, holder: null });
    const refused = await failure(robot.control.mouse({ id, action: 'move', x: 1, y: 1 }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused.message).toMatch(/does not allow programs/);
    expect(await audit(id, 'control.programs_allowed')).toHaveLength(1);
    await callerFor(alice).control.setProgramsAllowed({ id, allowed: true });
    expect(await robot.control.mouse({ id, action: 'move', x: 1, y: 1 })).toEqual({ x: 1, y: 1 });
  });
});

describe('refusals', () => {
  it('refuses a token without environments:control (FORBIDDEN) and another user’s desktop (NOT_FOUND)', async () => {
    const id = await runningDesktop(alice);
    const reader = callerFor(alice, await tokenFor(alice, 'reader', ['environments:read', 'environments:write']));
    expect(await failure(reader.control.screenshot({ id }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('environments:control') });
    const bobs = callerFor(bob, await tokenFor(bob, 'bob-robot'));
    expect(await failure(bobs.control.mouse({ id, action: 'click', x: 1, y: 1, button: 'left' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(bobs.control.status({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(callerFor(bob).control.takeOver({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(bobs.control.actions({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    // Take-over is for the owner in the browser, not for tokens.
    expect(await failure(callerFor(alice, await tokenFor(alice, 'all', ['environments:control', 'environments:read'])).control.takeOver({ id }))).toMatchObject({ code: 'FORBIDDEN' });
    // Nobody was granted anything.
    expect(await db.prisma.controlLease.findUnique({ where: { environmentId: id } })).toBeNull();
  });

  it('refuses off-screen coordinates, a 100,000-character text and an unknown key with VALIDATION, sending nothing', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    const before = engine.calls.length;
    const off = await failure(robot.control.mouse({ id, action: 'click', x: 1280, y: 10, button: 'left' }));
    expect(off).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', message: expect.stringContaining('off the screen') });
    expect(await failure(robot.control.mouse({ id, action: 'drag', x: 1, y: 1, toX: 5, toY: 9000, button: 'left' }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await failure(robot.control.mouse({ id, action: 'move', x: -1, y: 1 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failure(robot.control.screenshot({ id, region: { x: 1200, y: 0, width: 200, height: 10 } }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await failure(robot.control.keyboard({ id, text: 'a'.repeat(100_000) }))).toMatchObject({ code: 'BAD_REQUEST' });
    const key = await failure(robot.control.keyboard({ id, keys: 'ctrl+Foo' }));
    expect(key).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', message: expect.stringContaining("'Foo'") });
    expect(engine.calls.length).toBe(before);
    // A refused call takes no lease.
    expect((await robot.control.status({ id })).holder).toBeNull();
  });

  it('refuses a suspended desktop with CONFLICT', async () => {
    const id = await runningDesktop(alice);
    await store.transaction((tx) => transitionEnvironment({ tx, id, to: 'suspended', actor: { kind: 'worker' } }));
    const refused = await failure(callerFor(alice, await tokenFor(alice, 'robot')).control.screenshot({ id }));
    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'CONFLICT', message: 'the environment is suspended, not running' });
  });

  it('says plainly that a desktop without an agent (a VM) cannot list its windows, and takes no lease for it', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    const calls = agent.calls.length;
    for (const call of [robot.control.windows({ id }), robot.control.focusWindow({ id, window: '0x1a00002' }), robot.control.closeWindow({ id, window: '0x1a00002' })]) {
      expect(await failure(call)).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', appCode: 'UNSUPPORTED', message: expect.stringContaining('no agent to list its windows') });
    }
    expect(agent.calls.length).toBe(calls);
    expect((await robot.control.status({ id })).holder).toBeNull();
  });

  it("lists, focuses and closes windows through the desktop's agent, under the lease and in the log", async () => {
    const id = await runningDesktop(alice, { agentSocket: '/state/guacd/x/agent.sock' });
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    const listed = await robot.control.windows({ id });
    expect(listed.map((w) => [w.id, w.title, w.focused])).toEqual([['0x1a00002', 'xterm', true], ['0x1c00002', 'second', false]]);
    expect(await robot.control.focusWindow({ id, window: '0x1c00002' })).toEqual({ focused: true });
    expect(await robot.control.closeWindow({ id, window: '0x1c00002' })).toEqual({ closed: true });
    expect(agent.calls.slice(-3).map((c) => [c.kind, c.window, c.target])).toEqual([
      ['windows', undefined, { environmentId: id, socket: '/state/guacd/x/agent.sock' }],
      ['focusWindow', '0x1c00002', { environmentId: id, socket: '/state/guacd/x/agent.sock' }],
      ['closeWindow', '0x1c00002', { environmentId: id, socket: '/state/guacd/x/agent.sock' }],
    ]);
    expect(await robot.control.status({ id })).toMatchObject({ holder: { kind: 'program', name: 'token robot' } });
    // The agent's NOT_FOUND (the window is gone) reaches the caller as such.
    expect(await failure(robot.control.focusWindow({ id, window: '0x1c00002' }))).toMatchObject({ code: 'NOT_FOUND', appCode: 'NOT_FOUND', message: expect.stringContaining('no window 0x1c00002') });
    const log = await robot.control.actions({ id });
    expect(log.map((a) => [a.action, a.params])).toEqual([
      ['windows', {}],
      ['focusWindow', { window: '0x1c00002' }],
      ['closeWindow', { window: '0x1c00002' }],
    ]);
  });

  it('refuses a window id that is not one before anything reaches the agent', async () => {
    const id = await runningDesktop(alice, { agentSocket: '/state/guacd/x/agent.sock' });
    const robot = callerFor(alice, await tokenFor(alice, 'robot'));
    const calls = agent.calls.length;
    for (const window of ['xterm', '0x1 windows', '0x123456789', '']) {
      expect(await failure(robot.control.focusWindow({ id, window }))).toMatchObject({ code: 'BAD_REQUEST' });
      expect(await failure(robot.control.closeWindow({ id, window }))).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(agent.calls.length).toBe(calls);
  });
});

describe('pacing and the log', () => {
  it('throttles a flood of 1,000 actions with a clear error; what it accepted reached the engine in the order sent', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'flood'));
    const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => robot.control.keyboard({ id, text: `#${i}` })));
    const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as TRPCError);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(refused.length).toBeGreaterThan(500);
    for (const e of refused) {
      expect(e.code).toBe('TOO_MANY_REQUESTS');
      expect((e.cause as { code?: string }).code).toBe('THROTTLED');
    }
    expect(refused[0]!.message).toMatch(/at most 20 a second/);
    const typed = engine.calls.flatMap((c) => (c.kind === 'keyboard' && c.environmentId === id ? [Number(c.text!.slice(1))] : []));
    expect(typed).toEqual(accepted);
    // …and each is in the log, in the same order.
    const log = await robot.control.actions({ id, limit: 1000 });
    expect(log.map((l) => Number((l.params as { text: string }).text.slice(1)))).toEqual(accepted);
  });

  it('logs every action with its parameters (typed text cut at 200 characters, the clipboard never) and returns it', async () => {
    const id = await runningDesktop(alice);
    const robot = callerFor(alice, await tokenFor(alice, 'logger'));
    await robot.control.keyboard({ id, text: 'x'.repeat(500) });
    await robot.control.clipboardSet({ id, text: 'secret clipboard' });
    expect(await robot.control.clipboardGet({ id })).toEqual({ text: 'secret clipboard' });
    const shot = await robot.control.screenshot({ id, scale: 0.5 });
    expect(shot).toMatchObject({ width: 1280, height: 800 });
    expect(Buffer.from(shot.png, 'base64').subarray(1, 4).toString()).toBe('PNG');
    await robot.control.mouse({ id, action: 'scroll', x: 100, y: 100, dy: 3 });
    await callerFor(alice).control.cursor({ id });
    expect(await robot.control.waitForChange({ id, sinceVersion: 0, timeoutMs: 100 })).toMatchObject({ changed: true });

    const log = await callerFor(alice).control.actions({ id });
    expect(log.map((l) => [l.actor, l.action])).toEqual([
      ['token logger', 'keyboard'],
      ['token logger', 'clipboardSet'],
      ['token logger', 'clipboardGet'],
      ['token logger', 'screenshot'],
      ['token logger', 'mouse'],
      ['Alice Owner', 'cursor'],
    ]);
    expect(log[0]!.params).toEqual({ text: 'x'.repeat(200), chars: 500, truncated: true });
    expect(log[1]!.params).toEqual({ chars: 16 });
    expect(JSON.stringify(log)).not.toContain('secret clipboard');
    expect(log[3]).toMatchObject({ params: { scale: 0.5 }, screenshotRef: expect.stringMatching(/^screen v\d+$/) });
    expect(log[4]!.params).toEqual({ action: 'scroll', x: 100, y: 100, dy: 3 });
    expect(new Date(log[0]!.at).getTime()).toBeLessThanOrEqual(new Date(log[5]!.at).getTime());
  });

  it('moves files through the Transfer folder', async () => {
    const id = await runningDesktop(alice);
    mkdirSync(transferDirFor(stateDir, id), { recursive: true });
    mkdirSync(stagingDirFor(stateDir, id), { recursive: true });
    const robot = callerFor(alice, await tokenFor(alice, 'files'));
    const put = await robot.control.filesPut({ id, name: 'notes.txt', contentBase64: Buffer.from('hello desktop').toString('base64') });
    expect(put).toMatchObject({ name: 'notes.txt', bytes: 13 });
    expect(readFileSync(path.join(transferDirFor(stateDir, id), 'notes.txt'), 'utf8')).toBe('hello desktop');
    expect((await robot.control.filesList({ id })).map((f) => f.name)).toEqual(['notes.txt']);
    expect(Buffer.from((await robot.control.filesGet({ id, name: 'notes.txt' })).contentBase64, 'base64').toString()).toBe('hello desktop');
    expect(await failure(robot.control.filesGet({ id, name: '../etc/passwd' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failure(robot.control.filesGet({ id, name: 'missing.txt' }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
