import argon2 from 'argon2';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_SCOPES,
  DEFAULT_QUOTA,
  DEFAULT_SPEC,
  DEPLOYMENT_CAPABILITIES,
  ENVIRONMENT_STATES,
  scopesForRole,
  transitionEnvironment,
  type ApiScope,
  type ChangeFeed,
  type EnvironmentSpec,
} from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensureQueues, type PgBoss } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { authenticateApiToken, issueApiToken, LAST_USED_RESOLUTION_MS } from '../auth/api-tokens';
import { appRouter, createCaller } from './root';
import { createInnerContext, type ProcedureMeta } from './trpc';

/*
 * The authorization table. Every procedure of appRouter is enumerated at run
 * time; each must have an entry here saying who may call it, or this test
 * fails. Every procedure is called with valid input as
 *   - anonymous              (no session, no token)
 *   - a viewer of team T     (T holds the fixtures: an environment of a member, an invitation…)
 *   - a member of team U     (another team: T's resources are foreign to them)
 *   - an API token lacking the procedure's scope (the token of a global admin, so only the scope is missing)
 * and every refusal must leave the database as it was (refusals of
 * security-relevant actions add one `<action>.denied` audit row, nothing else).
 */

let db: TestDatabase;
let boss: PgBoss;
type Person = { id: string; email: string; role: 'admin' | 'user' };
let gadmin: Person, owner: Person, tadmin: Person, member: Person, member2: Person, viewer: Person, outsider: Person;
let teamT: { id: string };
let teamU: { id: string };
let envE: { id: string };
let pool: { id: string };
let invitation: { id: string; token: string };
let memberToken: { id: string };
const VIEWER_PASSWORD = 'viewer-password-1';
const IP = '10.20.30.40';

const store = () => createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
/** Nothing is streamed in these tests; subscriptions still start from a fresh read. */
const quietFeed: ChangeFeed = { subscribe: () => () => undefined };

type Who = { user: Person | null; token?: { id: string; scopes: string[] } | null };
const callerFor = (who: Who, signal?: AbortSignal) =>
  createCaller(
    createInnerContext({
      user: who.user ? { id: who.user.id, email: who.user.email, name: null, role: who.user.role } : null,
      token: who.token ?? null,
      ip: IP,
      prisma: db.prisma,
      store: store(),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
      changes: quietFeed,
    }),
    { signal },
  );

const smallSpec: EnvironmentSpec = { ...DEFAULT_SPEC, name: 'authz', apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, cpu: 0.5, memoryMiB: 512 } };
const poolSpec: EnvironmentSpec = { ...smallSpec, name: 'authz-pool', apps: ['xterm', 'vim'] };

/** Everything a refused call must leave alone. Refusal audit rows (`*.denied`) are counted separately. */
const snapshot = async () => ({
  teams: await db.prisma.team.count(),
  memberships: (await db.prisma.membership.findMany({ orderBy: [{ teamId: 'asc' }, { userId: 'asc' }] })).map((m) => `${m.teamId}:${m.userId}:${m.role}`),
  invitations: (await db.prisma.invitation.findMany({ orderBy: { id: 'asc' } })).map((i) => `${i.id}:${String(i.acceptedAt)}:${String(i.revokedAt)}`),
  environments: (await db.prisma.environment.findMany({ orderBy: { id: 'asc' } })).map((e) => `${e.id}:${e.state}:${e.ownerId}:${e.teamId}`),
  tokens: (await db.prisma.apiToken.findMany({ orderBy: { id: 'asc' } })).map((t) => `${t.id}:${String(t.revokedAt)}`),
  quotas: await db.prisma.quota.count(),
  pools: (await db.prisma.warmPool.findMany({ orderBy: { id: 'asc' } })).map((p) => `${p.id}:${p.size}:${p.enabled}`),
  users: (await db.prisma.user.findMany({ orderBy: { id: 'asc' } })).map((u) => `${u.id}:${u.role}:${String(u.disabledAt)}`),
  audit: await db.prisma.auditLog.count({ where: { NOT: { action: { endsWith: '.denied' } } } }),
  jobs: Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM pgboss.job'))[0]!.n),
});

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

/** 'ok': allowed (called, must succeed); a code: refused with it; 'self': acts only on the caller's own account, not called as others. */
type Outcome = 'ok' | 'self' | TRPCError['code'];
interface Rule {
  /** Who the procedure is for: 'public' (anyone), 'user' (signed in), 'admin' (global admins). */
  for: 'public' | 'user' | 'admin';
  /** What an API token needs (must equal the procedure's meta); undefined: sessions only. */
  scope?: ApiScope | 'any';
  viewer: Outcome;
  outsider: Outcome;
  /** Overrides the default (public: 'ok', otherwise UNAUTHORIZED). */
  anonymous?: Outcome;
  input?: () => unknown;
}

const adminOnly = (scope: ApiScope | 'any' = 'admin', input?: () => unknown): Rule => ({ for: 'admin', scope, viewer: 'FORBIDDEN', outsider: 'FORBIDDEN', input });
const envId = () => ({ id: envE.id });
const control = (input: () => unknown = envId): Rule => ({ for: 'user', scope: 'environments:control', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input });

const TABLE: Record<string, Rule> = {
  // Global administration: admins only, whatever the team role.
  'admin.quotas.list': adminOnly(),
  'admin.quotas.set': adminOnly('admin', () => ({ scope: 'team', subjectId: teamT.id, maxEnvironments: 100, maxCpu: 64, maxMemoryMiB: 65_536, maxDiskGiB: 500, maxHoursPerDay: 100, priority: 9 })),
  'admin.quotas.reset': adminOnly('admin', () => ({ scope: 'team', subjectId: teamT.id })),
  'admin.pools.list': adminOnly(),
  'admin.pools.create': adminOnly('admin', () => ({ name: 'authz-new', spec: { ...poolSpec, apps: ['xterm', 'nano'] }, size: 1 })),
  'admin.pools.update': adminOnly('admin', () => ({ id: pool.id, size: 0 })),
  'admin.pools.delete': adminOnly('admin', () => ({ id: pool.id })),
  'admin.hosts.list': adminOnly(),
  'admin.backups.setSchedule': adminOnly('admin', () => ({ enabled: false, hourUtc: 3, keepDaily: 7, keepWeekly: 4 })),

  'auth.issueToken': { for: 'public', viewer: 'ok', outsider: 'ok', input: () => ({ email: viewer.email, password: VIEWER_PASSWORD, name: 'authz' }) },
  'auth.me': { for: 'user', scope: 'any', viewer: 'ok', outsider: 'ok' },
  'auth.tokens.issue': { for: 'user', scope: 'tokens', viewer: 'ok', outsider: 'ok', input: () => ({ name: 'tool', scopes: ['environments:read'], ttlHours: 1 }) },
  'auth.tokens.list': { for: 'user', scope: 'tokens', viewer: 'ok', outsider: 'ok' },
  'auth.tokens.revoke': { for: 'user', scope: 'tokens', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: () => ({ id: memberToken.id }) },

  'composer.compose': { for: 'user', scope: 'composer', viewer: 'ok', outsider: 'ok', input: () => ({ request: 'a desktop with firefox' }) },
  'composer.refine': { for: 'user', scope: 'composer', viewer: 'ok', outsider: 'ok', input: () => ({ spec: smallSpec, instruction: 'add vlc' }) },

  // Environments (authorize.ts): viewers of T read T's environments but change nothing; others do not see them.
  'environments.create': { for: 'user', scope: 'environments:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ spec: smallSpec, teamId: teamT.id }) },
  'environments.list': { for: 'user', scope: 'environments:read', viewer: 'ok', outsider: 'ok', input: () => ({ includeTerminated: true }) },
  'environments.get': { for: 'user', scope: 'environments:read', viewer: 'ok', outsider: 'NOT_FOUND', input: envId },
  'environments.onChange': { for: 'user', scope: 'environments:read', viewer: 'ok', outsider: 'NOT_FOUND', input: envId },
  'environments.waitFor': { for: 'user', scope: 'environments:read', viewer: 'ok', outsider: 'NOT_FOUND', input: () => ({ id: envE.id, states: [...ENVIRONMENT_STATES], timeoutMs: 1000 }) },
  'environments.terminate': { for: 'user', scope: 'environments:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },
  'environments.suspend': { for: 'user', scope: 'environments:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },
  'environments.resume': { for: 'user', scope: 'environments:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },
  // Share links (sharing/share-links.ts, its own check): owner or team owner/admin; sessions only for tokens.
  'environments.share.create': { for: 'user', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: () => ({ id: envE.id, mode: 'view' }) },
  'environments.share.list': { for: 'user', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: envId },
  'environments.share.revoke': { for: 'user', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: () => ({ shareId: 'nosuchshare0' }) },
  // Public, for whoever holds a link; an unknown link answers NOT_FOUND to everyone.
  'environments.share.describe': { for: 'public', anonymous: 'NOT_FOUND', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: () => ({ secret: 'not-a-share-link' }) },
  'environments.share.connectionToken': { for: 'public', anonymous: 'NOT_FOUND', viewer: 'NOT_FOUND', outsider: 'NOT_FOUND', input: () => ({ secret: 'not-a-share-link' }) },
  'environments.connectionToken': { for: 'user', scope: 'environments:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },

  // Desktop control (core control/): the owner only, like the display; viewers FORBIDDEN, others NOT_FOUND.
  'control.status': control(),
  'control.screenshot': control(),
  'control.waitForChange': control(() => ({ id: envE.id, timeoutMs: 100 })),
  'control.mouse': control(() => ({ id: envE.id, action: 'move', x: 1, y: 1 })),
  'control.keyboard': control(() => ({ id: envE.id, text: 'x' })),
  'control.clipboardGet': control(),
  'control.clipboardSet': control(() => ({ id: envE.id, text: 'x' })),
  'control.filesList': control(),
  'control.filesPut': control(() => ({ id: envE.id, name: 'a.txt', contentBase64: '' })),
  'control.filesGet': control(() => ({ id: envE.id, name: 'a.txt' })),
  'control.windows': control(),
  'control.focusWindow': control(() => ({ id: envE.id, window: '0x1' })),
  'control.closeWindow': control(() => ({ id: envE.id, window: '0x1' })),
  'control.cursor': control(),
  'control.actions': control(),
  // Take-over, hand-back and the programs switch: the owner in the browser, no token.
  'control.takeOver': { for: 'user', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },
  'control.handBack': { for: 'user', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: envId },
  'control.setProgramsAllowed': { for: 'user', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ id: envE.id, allowed: false }) },

  // Teams: members read their team; owners and admins manage it; non-members get NOT_FOUND.
  'teams.create': { for: 'user', scope: 'teams:write', viewer: 'ok', outsider: 'ok', input: () => ({ name: 'Side project' }) },
  'teams.list': { for: 'user', scope: 'teams:read', viewer: 'ok', outsider: 'ok' },
  'teams.get': { for: 'user', scope: 'teams:read', viewer: 'ok', outsider: 'NOT_FOUND', input: () => ({ teamId: teamT.id }) },
  'teams.invite': { for: 'user', scope: 'teams:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ teamId: teamT.id, email: 'someone@genos.test', role: 'member' }) },
  'teams.acceptInvitation': { for: 'user', scope: 'teams:write', viewer: 'FORBIDDEN', outsider: 'FORBIDDEN', input: () => ({ token: invitation.token }) },
  'teams.revokeInvitation': { for: 'user', scope: 'teams:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ invitationId: invitation.id }) },
  'teams.changeRole': { for: 'user', scope: 'teams:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ teamId: teamT.id, userId: member.id, role: 'viewer' }) },
  'teams.removeMember': { for: 'user', scope: 'teams:write', viewer: 'FORBIDDEN', outsider: 'NOT_FOUND', input: () => ({ teamId: teamT.id, userId: member.id }) },
};

/**
 * Self-service procedures of other routers (sessions, TOTP…), and global
 * admin procedures added by the admin pages: the same rules, without
 * per-procedure inputs (authorization is checked before input).
 */
const SELF_SERVICE = /^auth\.(sessions|totp)\./;

// ---------------------------------------------------------------------------

interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: ProcedureMeta | undefined;
}

/** Every procedure of the app router, from tRPC 11's flat `_def.procedures` map (nested records walked too). */
function allProcedures(): ProcedureInfo[] {
  const out: ProcedureInfo[] = [];
  const visit = (record: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(record)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const def = (value as { _def?: { procedure?: boolean; type?: ProcedureInfo['type']; meta?: ProcedureMeta; router?: boolean; record?: Record<string, unknown> } })._def;
      if (def?.procedure) out.push({ path, type: def.type!, meta: def.meta });
      else if (def?.router && def.record) visit(def.record, path);
      else if (value && typeof value === 'object' && !def) visit(value as Record<string, unknown>, path);
    }
  };
  visit(appRouter._def.record as Record<string, unknown>, '');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function ruleFor(p: ProcedureInfo): Rule | undefined {
  if (TABLE[p.path]) return TABLE[p.path];
  if (SELF_SERVICE.test(p.path)) return { for: 'user', scope: p.meta?.scope, viewer: 'self', outsider: 'self' };
  if (p.path.startsWith('admin.') && p.meta?.scope === 'admin') return adminOnly();
  return undefined;
}

/** Calls a procedure by path; a subscription is iterated once. */
async function invoke(who: Who, p: ProcedureInfo, input: unknown): Promise<unknown> {
  const ac = new AbortController();
  const fn = p.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], callerFor(who, ac.signal)) as (i: unknown) => Promise<unknown>;
  try {
    const result = await fn(input);
    if (p.type === 'subscription') {
      const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const first = await it.next();
      ac.abort();
      await it.return?.();
      return first.value;
    }
    return result;
  } finally {
    ac.abort();
  }
}

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return 'ok';
  } catch (e) {
    return e instanceof TRPCError ? e.code : `not a TRPCError: ${String(e)}`;
  }
};

async function tokenFor(user: Person, scopes: string[]) {
  const issued = await issueApiToken(db.prisma, { userId: user.id, role: user.role, name: 'authz-test', ttlHours: 1, scopes: scopes as ApiScope[] });
  return (await authenticateApiToken(db.prisma, issued.token))!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  await registerTestHost({ store: store(), boss, id: 'authz-test-host', cpuCapacity: 32, memoryMiB: 65_536 });
  const person = async (email: string, role: 'admin' | 'user' = 'user', passwordHash?: string): Promise<Person> => ({
    ...(await db.prisma.user.create({ data: { email, role, passwordHash } })),
    role,
  });
  gadmin = await person('root@authz.test', 'admin');
  owner = await person('owner@authz.test');
  tadmin = await person('tadmin@authz.test');
  member = await person('member@authz.test');
  member2 = await person('member2@authz.test');
  viewer = await person('viewer@authz.test', 'user', await argon2.hash(VIEWER_PASSWORD));
  outsider = await person('outsider@authz.test');

  teamT = await callerFor({ user: owner }).teams.create({ name: 'Team T' });
  teamU = await callerFor({ user: outsider }).teams.create({ name: 'Team U' });
  for (const [p, role] of [
    [tadmin, 'admin'],
    [member, 'member'],
    [member2, 'member'],
    [viewer, 'viewer'],
  ] as const) {
    const { token } = await callerFor({ user: owner }).teams.invite({ teamId: teamT.id, email: p.email, role });
    await callerFor({ user: p }).teams.acceptInvitation({ token });
  }
  const inv = await callerFor({ user: owner }).teams.invite({ teamId: teamT.id, email: 'newbie@authz.test', role: 'member' });
  invitation = { id: inv.invitation.id, token: inv.token };

  // A running environment of a team member, in T.
  envE = await callerFor({ user: member }).environments.create({ spec: smallSpec, teamId: teamT.id });
  await store().transaction(async (tx) => {
    await transitionEnvironment({ tx, id: envE.id, to: 'provisioning', actor: { kind: 'worker' } });
    await transitionEnvironment({
      tx,
      id: envE.id,
      to: 'running',
      actor: { kind: 'worker' },
      patch: { runtimeRef: 'authz-none', startedAt: new Date(), displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 5999 } },
    });
  });
  pool = await callerFor({ user: gadmin }).admin.pools.create({ name: 'authz-pool', spec: poolSpec, size: 0 });
  memberToken = await callerFor({ user: member }).auth.tokens.issue({ name: 'member tool', ttlHours: 1 });
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('the authorization table', () => {
  it('lists every procedure of appRouter, with the scope it declares', () => {
    const procedures = allProcedures();
    expect(procedures.length).toBeGreaterThan(20);
    // The flat map tRPC 11 keeps agrees with the walk.
    expect(Object.keys(appRouter._def.procedures as Record<string, unknown>).sort()).toEqual(procedures.map((p) => p.path).sort());
    expect(teamU.id).not.toBe(teamT.id);
    for (const p of procedures) {
      const rule = ruleFor(p);
      if (!rule) throw new Error(`new procedure ${p.path} is not in the authorization table (authorization.integration.test.ts)`);
      if (rule.for !== 'public') expect(p.meta?.scope, `${p.path}: the scope an API token needs`).toBe(rule.scope);
    }
    // Entries for procedures that are gone are stale.
    const paths = new Set(procedures.map((p) => p.path));
    for (const path of Object.keys(TABLE)) expect(paths.has(path), `${path} is in the table but not in appRouter`).toBe(true);
  });

  it('refuses anonymous callers, team viewers, members of another team and tokens without the scope, changing nothing', async () => {
    const failures: string[] = [];
    const adminTokenWithout = new Map<string, Awaited<ReturnType<typeof tokenFor>>>();
    for (const p of allProcedures()) {
      const rule = ruleFor(p);
      if (!rule) continue; // reported by the test above
      const input = rule.input?.();
      const scope = p.meta?.scope;
      const key = scope ?? 'session-only';
      if (rule.for !== 'public' && scope !== 'any' && !adminTokenWithout.has(key)) {
        const scopes = scopesForRole('admin').filter((s) => s !== scope);
        adminTokenWithout.set(key, await tokenFor(gadmin, scopes));
      }
      const noScope = adminTokenWithout.get(key);
      const cases: [string, Who, Outcome][] = [
        ['anonymous', { user: null }, rule.anonymous ?? (rule.for === 'public' ? 'ok' : 'UNAUTHORIZED')],
        ['team viewer', { user: viewer }, rule.viewer],
        ['member of another team', { user: outsider }, rule.outsider],
      ];
      if (rule.for !== 'public' && scope !== 'any' && noScope) cases.push([`token without ${scope ?? 'a session'}`, { user: gadmin, token: noScope.token }, 'FORBIDDEN']);
      for (const [who, caller, expected] of cases) {
        if (expected === 'self') continue;
        const before = expected === 'ok' ? null : await snapshot();
        const got = await codeOf(invoke(caller, p, input));
        if (got !== expected) failures.push(`${p.path} as ${who}: expected ${expected}, got ${got}`);
        if (before) {
          const after = await snapshot();
          if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${p.path} as ${who}: the refusal changed the database`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('team roles on environments', () => {
  it('lets team owners and admins see and manage team environments, viewers only see them, members only their own', async () => {
    const listed = async (p: Person) => (await callerFor({ user: p }).environments.list({ includeTerminated: true })).map((e) => e.id);
    expect(await listed(viewer)).toContain(envE.id);
    expect(await listed(tadmin)).toContain(envE.id);
    expect(await listed(owner)).toContain(envE.id);
    expect(await listed(member2)).not.toContain(envE.id);
    expect(await listed(outsider)).not.toContain(envE.id);
    await expect(callerFor({ user: member2 }).environments.get({ id: envE.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor({ user: member2 }).environments.terminate({ id: envE.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor({ user: viewer }).environments.list({ teamId: teamT.id })).resolves.toBeDefined();
    await expect(callerFor({ user: outsider }).environments.list({ teamId: teamT.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A team admin suspends it: the request is recorded with the actor and address.
    const env = await callerFor({ user: tadmin }).environments.suspend({ id: envE.id });
    expect(env.id).toBe(envE.id);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'environment.suspend.requested', targetId: envE.id } });
    expect(audit).toMatchObject({ actorId: tadmin.id, ip: IP, before: { state: 'running' } });
    // Only the owner opens the display.
    await expect(callerFor({ user: tadmin }).environments.connectionToken({ id: envE.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('records the caller address on creates and on every transition they cause, and applies the team quota', async () => {
    const mine = await callerFor({ user: member2 }).environments.create({ spec: smallSpec, teamId: teamT.id });
    const created = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'environment.create', targetId: mine.id } });
    expect(created).toMatchObject({ actorId: member2.id, ip: IP, after: { teamId: teamT.id } });
    await db.prisma.environment.update({ where: { id: mine.id }, data: { host: null } });
    // The team owner ends it before it was placed: a transition, audited with before/after and the address.
    await callerFor({ user: owner }).environments.terminate({ id: mine.id });
    const ended = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'environment.terminated', targetId: mine.id } });
    expect(ended).toMatchObject({ actorId: owner.id, ip: IP, before: { state: 'requested' }, after: { state: 'terminated' } });

    const live = await db.prisma.environment.count({ where: { teamId: teamT.id, state: { notIn: ['terminated', 'failed'] } } });
    await callerFor({ user: gadmin }).admin.quotas.set({ scope: 'team', subjectId: teamT.id, maxEnvironments: live, maxCpu: 64, maxMemoryMiB: 65_536, maxDiskGiB: 500, maxHoursPerDay: 100, priority: 0 });
    await expect(callerFor({ user: member2 }).environments.create({ spec: smallSpec, teamId: teamT.id })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // The same user outside the team is not held by the team's quota.
    const own = await callerFor({ user: member2 }).environments.create({ spec: smallSpec });
    await callerFor({ user: member2 }).environments.terminate({ id: own.id });
    await callerFor({ user: gadmin }).admin.quotas.reset({ scope: 'team', subjectId: teamT.id });
  });
});

describe('team membership rules', () => {
  const denied = (action: string, actorId: string) => db.prisma.auditLog.findFirst({ where: { action: `${action}.denied`, actorId }, orderBy: { at: 'desc' } });

  it('refuses a role change by a non-admin, audits the refusal and changes nothing', async () => {
    const before = await snapshot();
    await expect(callerFor({ user: member }).teams.changeRole({ teamId: teamT.id, userId: viewer.id, role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);
    expect(await denied('team.member.role', member.id)).toMatchObject({ targetType: 'team', targetId: teamT.id, ip: IP, after: { refused: 'FORBIDDEN', attempted: { userId: viewer.id, role: 'admin' } } });
  });

  it('lets only owners grant or take away ownership, and keeps the last owner', async () => {
    const t = callerFor({ user: tadmin }).teams;
    await expect(t.changeRole({ teamId: teamT.id, userId: member.id, role: 'owner' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(t.changeRole({ teamId: teamT.id, userId: owner.id, role: 'member' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(t.removeMember({ teamId: teamT.id, userId: owner.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(t.invite({ teamId: teamT.id, email: 'boss@authz.test', role: 'owner' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const before = await snapshot();
    await expect(callerFor({ user: owner }).teams.changeRole({ teamId: teamT.id, userId: owner.id, role: 'admin' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(callerFor({ user: owner }).teams.removeMember({ teamId: teamT.id, userId: owner.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await snapshot()).toEqual(before);
    expect(await denied('team.member.role', owner.id)).toMatchObject({ after: { refused: 'CONFLICT' } });
    expect(await denied('team.member.remove', tadmin.id)).toMatchObject({ after: { refused: 'FORBIDDEN' } });

    // A team admin changes a member's role: audited with before and after.
    await callerFor({ user: tadmin }).teams.changeRole({ teamId: teamT.id, userId: member2.id, role: 'viewer' });
    expect(await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'team.member.role', actorId: tadmin.id }, orderBy: { at: 'desc' } })).toMatchObject({
      ip: IP,
      before: { userId: member2.id, role: 'member' },
      after: { userId: member2.id, role: 'viewer' },
    });
    // A viewer cannot create in the team any more.
    await expect(callerFor({ user: member2 }).environments.create({ spec: smallSpec, teamId: teamT.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await denied('environment.create', member2.id)).toMatchObject({ targetId: teamT.id });
    await callerFor({ user: tadmin }).teams.changeRole({ teamId: teamT.id, userId: member2.id, role: 'member' });
  });

  it('stores only the hash of an invitation, lets only the invited email accept it, once, before it expires', async () => {
    const { invitation: inv, token } = await callerFor({ user: tadmin }).teams.invite({ teamId: teamT.id, email: 'Late@Authz.test', role: 'viewer' });
    const row = await db.prisma.invitation.findUniqueOrThrow({ where: { id: inv.id } });
    expect(row.hash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(JSON.stringify(await db.prisma.auditLog.findMany({ where: { action: 'team.invite' } }))).not.toContain(token);
    const late = { ...(await db.prisma.user.create({ data: { email: 'late@authz.test' } })), role: 'user' as const };
    await expect(callerFor({ user: outsider }).teams.acceptInvitation({ token })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const joined = await callerFor({ user: late }).teams.acceptInvitation({ token });
    expect(joined).toMatchObject({ id: teamT.id, role: 'viewer' });
    await expect(callerFor({ user: late }).teams.acceptInvitation({ token })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const expired = await callerFor({ user: owner }).teams.invite({ teamId: teamT.id, email: 'outsider@authz.test', role: 'member' });
    await db.prisma.invitation.update({ where: { id: expired.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(callerFor({ user: outsider }).teams.acceptInvitation({ token: expired.token })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const revoked = await callerFor({ user: owner }).teams.invite({ teamId: teamT.id, email: 'outsider@authz.test', role: 'member' });
    await callerFor({ user: tadmin }).teams.revokeInvitation({ invitationId: revoked.invitation.id });
    await expect(callerFor({ user: outsider }).teams.acceptInvitation({ token: revoked.token })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await db.prisma.membership.count({ where: { teamId: teamT.id, userId: outsider.id } })).toBe(0);
  });
});

describe('API tokens', () => {
  it('refuses expired and revoked tokens (UNAUTHORIZED), audits them and changes nothing', async () => {
    const expired = await issueApiToken(db.prisma, { userId: member.id, role: 'user', name: 'old', ttlHours: 1 });
    await db.prisma.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const revoked = await issueApiToken(db.prisma, { userId: member.id, role: 'user', name: 'gone', ttlHours: 1 });
    await callerFor({ user: member }).auth.tokens.revoke({ id: revoked.id });
    expect(await db.prisma.auditLog.findFirst({ where: { action: 'token.revoke', targetId: revoked.id } })).toMatchObject({ actorId: member.id, ip: IP });

    for (const t of [expired, revoked]) {
      const before = await snapshot();
      const found = await authenticateApiToken(db.prisma, t.token, { ip: IP });
      expect(found).toBeNull();
      // The context then has no user: every protected procedure answers UNAUTHORIZED.
      await expect(callerFor({ user: null }).environments.terminate({ id: envE.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await snapshot()).toEqual(before);
      expect(await db.prisma.auditLog.findFirst({ where: { action: 'auth.token.denied', targetId: t.id } })).toMatchObject({ actorId: member.id, ip: IP });
    }
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id: expired.id } })).lastUsedAt).toBeNull();
  });

  it('issues scoped tokens shown once, never beyond the role or the issuing token, and lists them without secrets', async () => {
    const issued = await callerFor({ user: member }).auth.tokens.issue({ name: 'ci', scopes: ['environments:read'], ttlHours: 2 });
    expect(issued.token).toMatch(/^genos_/);
    const listed = await callerFor({ user: member }).auth.tokens.list();
    expect(JSON.stringify(listed)).not.toContain(issued.token);
    expect(listed.find((t) => t.id === issued.id)).toMatchObject({ scopes: ['environments:read'], revokedAt: null });

    const before = await snapshot();
    await expect(callerFor({ user: member }).auth.tokens.issue({ name: 'x', scopes: ['admin'], ttlHours: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const limited = await tokenFor(member, ['tokens', 'environments:read']);
    await expect(callerFor({ user: member, token: limited.token }).auth.tokens.issue({ name: 'x', scopes: ['environments:write'], ttlHours: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect([...(await snapshot()).tokens].sort()).toEqual([...before.tokens, `${limited.token.id}:null`].sort());
    expect(await db.prisma.auditLog.count({ where: { action: 'token.issue.denied', actorId: member.id } })).toBe(2);

    // A read token reads, and cannot write.
    const reader = await tokenFor(member, ['environments:read']);
    await expect(callerFor({ user: member, token: reader.token }).environments.get({ id: envE.id })).resolves.toMatchObject({ id: envE.id });
    await expect(callerFor({ user: member, token: reader.token }).environments.terminate({ id: envE.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor({ user: member, token: reader.token }).auth.me()).resolves.toMatchObject({ id: member.id });
  });

  it('moves lastUsedAt at most once a minute', async () => {
    const t = await issueApiToken(db.prisma, { userId: member.id, role: 'user', name: 'clock', ttlHours: 1 });
    const now = new Date();
    await authenticateApiToken(db.prisma, t.token, { now });
    await authenticateApiToken(db.prisma, t.token, { now: new Date(now.getTime() + 30_000) });
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id: t.id } })).lastUsedAt).toEqual(now);
    const later = new Date(now.getTime() + LAST_USED_RESOLUTION_MS + 1);
    await authenticateApiToken(db.prisma, t.token, { now: later });
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id: t.id } })).lastUsedAt).toEqual(later);
    expect(API_SCOPES).toContain('environments:read');
  });
});
