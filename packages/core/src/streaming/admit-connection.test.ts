import { describe, expect, it } from 'vitest';
import type { AdminUserRecord } from '../ports/admin-store';
import type { EnvironmentRecord, ShareLinkRecord, TeamStreamingPolicy } from '../ports/store';
import { DEFAULT_SPEC } from '../spec/environment-spec';
import { admitConnection, type AdmissionReads, type ConnectionLease } from './admit-connection';
import type { TunnelClaims, TunnelToken } from './connection-token';
import { SHARE_MESSAGES } from './share-link-rules';

const NOW = 1_800_000_000_000;

const env = (over: Partial<EnvironmentRecord> = {}): EnvironmentRecord => ({
  id: 'env1',
  name: 'd',
  request: null,
  spec: DEFAULT_SPEC,
  state: 'running',
  ownerId: 'owner',
  teamId: null,
  host: 'h1',
  runtimeRef: null,
  displayEndpoint: { protocol: 'vnc', host: '/d/vnc.sock', port: 0, password: 'pw' },
  error: null,
  createdAt: new Date(NOW),
  updatedAt: new Date(NOW),
  startedAt: new Date(NOW),
  terminatedAt: null,
  priority: 0,
  poolId: null,
  claimedAt: null,
  lastInputAt: null,
  warning: null,
  warnedAt: null,
  hostLost: false,
  ...over,
});

const share = (over: Partial<ShareLinkRecord> = {}): ShareLinkRecord => ({
  id: 'share1',
  environmentId: 'env1',
  mode: 'view',
  createdBy: 'owner',
  expiresAt: new Date(NOW + 3_600_000),
  revokedAt: null,
  createdAt: new Date(NOW - 60_000),
  ...over,
});

const admin = (over: Partial<AdminUserRecord> = {}): AdminUserRecord => ({
  id: 'boss',
  email: 'boss@genos.test',
  name: null,
  role: 'admin',
  totpEnabled: false,
  lockedUntil: null,
  disabledAt: null,
  createdAt: new Date(NOW),
  lastSignInAt: null,
  ...over,
});

/** In-memory reads: what admission sees, nothing else. */
function reads(world: { envs?: EnvironmentRecord[]; shares?: ShareLinkRecord[]; users?: AdminUserRecord[]; teams?: Record<string, TeamStreamingPolicy> }): AdmissionReads {
  return {
    environments: { findById: async (id) => world.envs?.find((e) => e.id === id) ?? null },
    shareLinks: { findById: async (id) => world.shares?.find((s) => s.id === id) ?? null },
    teams: { policy: async (id) => world.teams?.[id] ?? null },
    admin: { users: { find: async (id) => world.users?.find((u) => u.id === id) ?? null } },
  };
}

const token = (genos: Partial<TunnelClaims> = {}, settings: Record<string, string | number | boolean> = { hostname: '/d/vnc.sock', port: '0' }): TunnelToken => ({
  connection: { type: 'vnc', settings },
  genos: { environmentId: 'env1', userId: 'owner', exp: NOW + 60_000, purpose: 'control', jti: `j${Math.random()}`, ...genos },
});

/** Single-use memory and slots as the tunnel keeps them, with caps. */
function harness(caps = { perUser: 8, perShareLink: 5 }) {
  const used = new Set<string>();
  const live: { userId: string | null; shareLinkId: string | null }[] = [];
  return {
    live,
    claimToken: (jti: string) => (used.has(jti) ? false : (used.add(jti), true)),
    slots: {
      take(h: { userId: string | null; shareLinkId: string | null }): ConnectionLease | { full: 'user' | 'share-link'; limit: number } {
        if (h.shareLinkId && live.filter((l) => l.shareLinkId === h.shareLinkId).length >= caps.perShareLink) return { full: 'share-link', limit: caps.perShareLink };
        if (h.userId && live.filter((l) => l.userId === h.userId).length >= caps.perUser) return { full: 'user', limit: caps.perUser };
        const entry = { userId: h.userId, shareLinkId: h.shareLinkId };
        live.push(entry);
        return { release: () => void live.splice(live.indexOf(entry), 1) };
      },
    },
  };
}

const admit = (store: AdmissionReads, t: TunnelToken, h = harness(), recordAll = false) =>
  admitConnection({ store, token: t, recordAll, claimToken: h.claimToken, slots: h.slots, now: NOW });

describe('admitting a display connection', () => {
  it("lets the owner in with everything the team allows: input, clipboard, resize; the token's settings for guacd", async () => {
    const d = await admit(reads({ envs: [env()] }), token());
    expect(d).toMatchObject({
      allowed: true,
      environment: { id: 'env1', ownerId: 'owner', teamId: null },
      viewer: { kind: 'owner', userId: 'owner', shareLink: null },
      readOnly: false,
      clipboard: { copy: true, paste: true },
      record: null,
      mayResize: true,
      countsAsActivity: true,
      connection: { type: 'vnc', settings: { hostname: '/d/vnc.sock', port: '0' } },
    });
    expect(d.allowed && d.connection.settings).not.toHaveProperty('read-only');
  });

  it('refuses someone else, a missing desktop and a token of no known purpose, before anything is spent', async () => {
    const h = harness();
    const store = reads({ envs: [env()] });
    expect(await admit(store, token({ userId: 'stranger' }), h)).toMatchObject({ allowed: false, code: 'FORBIDDEN', message: 'Forbidden' });
    expect(await admit(store, token({ environmentId: 'gone' }), h)).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    expect(await admit(store, token({ purpose: 'admin' as never }), h)).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    expect(h.live).toHaveLength(0);
  });

  it('says a suspended desktop is suspended, and refuses one that is not running', async () => {
    expect(await admit(reads({ envs: [env({ state: 'suspended' })] }), token())).toMatchObject({ allowed: false, code: 'CONFLICT', message: 'This desktop is suspended: resume it to connect.' });
    expect(await admit(reads({ envs: [env({ state: 'terminated' })] }), token())).toMatchObject({ allowed: false, code: 'CONFLICT', message: 'Conflict' });
  });

  it('accepts each token once', async () => {
    const h = harness();
    const store = reads({ envs: [env()] });
    const t = token();
    expect((await admit(store, t, h)).allowed).toBe(true);
    expect(await admit(store, t, h)).toMatchObject({ allowed: false, code: 'UNAUTHENTICATED', message: /already used/ });
  });

  it("applies the team's clipboard and recording policy, or the deployment's record-all", async () => {
    const teams = { t1: { allowCopy: false, allowPaste: true, allowUpload: true, allowDownload: true, recordSessions: true } };
    const d = await admit(reads({ envs: [env({ teamId: 't1' })], teams }), token());
    expect(d).toMatchObject({ allowed: true, clipboard: { copy: false, paste: true }, record: { userId: 'owner' } });
    expect(await admit(reads({ envs: [env()] }), token(), harness(), true)).toMatchObject({ allowed: true, record: { userId: 'owner' } });
  });

  it('lets a view link watch only: read-only for guacd too, no resize, no activity, its link attached', async () => {
    const d = await admit(reads({ envs: [env()], shares: [share()] }), token({ purpose: 'view', shareId: 'share1', userId: '' }));
    expect(d).toMatchObject({
      allowed: true,
      viewer: { kind: 'share-link', userId: null, shareLink: { id: 'share1', mode: 'view', expiresAt: new Date(NOW + 3_600_000) } },
      readOnly: true,
      mayResize: false,
      countsAsActivity: false,
      connection: { settings: { 'read-only': 'true' } },
    });
  });

  it('lets a collaborate link type, as its signed-in user, without resizing the desktop', async () => {
    const d = await admit(reads({ envs: [env()], shares: [share({ mode: 'collaborate' })] }), token({ purpose: 'collaborate', shareId: 'share1', userId: 'friend' }));
    expect(d).toMatchObject({ allowed: true, viewer: { kind: 'share-link', userId: 'friend' }, readOnly: false, mayResize: false, countsAsActivity: true });
  });

  it('refuses a revoked, expired, foreign or mismatched share link, saying why when it is the link', async () => {
    const store = (s: Partial<ShareLinkRecord>) => reads({ envs: [env(), env({ id: 'env2' })], shares: [share(s)] });
    const view = token({ purpose: 'view', shareId: 'share1', userId: '' });
    expect(await admit(store({ revokedAt: new Date(NOW - 1) }), view)).toMatchObject({ allowed: false, code: 'FORBIDDEN', message: SHARE_MESSAGES.revoked });
    expect(await admit(store({ expiresAt: new Date(NOW) }), token({ purpose: 'view', shareId: 'share1', userId: '' }))).toMatchObject({ allowed: false, message: SHARE_MESSAGES.expired });
    // A view link's token cannot be turned into collaboration, nor pointed at another desktop.
    expect(await admit(store({}), token({ purpose: 'collaborate', shareId: 'share1', userId: 'x' }))).toMatchObject({ allowed: false, message: 'Forbidden' });
    expect(await admit(store({}), token({ purpose: 'view', shareId: 'share1', userId: '', environmentId: 'env2' }))).toMatchObject({ allowed: false, message: 'Forbidden' });
    expect(await admit(store({}), token({ purpose: 'view', userId: '' }))).toMatchObject({ allowed: false, message: 'Forbidden' });
  });

  it('lets an active admin observe read-only, unrecorded and without activity; refuses a former or disabled one', async () => {
    const teams = { t1: { allowCopy: false, allowPaste: false, allowUpload: true, allowDownload: true, recordSessions: true } };
    const obs = () => token({ userId: 'boss', purpose: 'view', observer: 'admin', readOnly: true }, { hostname: '/d/vnc.sock', port: '0', 'read-only': true });
    const d = await admit(reads({ envs: [env({ teamId: 't1' })], users: [admin()], teams }), obs());
    expect(d).toMatchObject({ allowed: true, viewer: { kind: 'observer', userId: 'boss' }, readOnly: true, record: null, mayResize: false, countsAsActivity: false, clipboard: { copy: false, paste: false } });
    expect(await admit(reads({ envs: [env()], users: [admin({ role: 'user' })] }), obs())).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    expect(await admit(reads({ envs: [env()], users: [admin({ disabledAt: new Date(NOW) })] }), obs())).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    expect(await admit(reads({ envs: [env()], users: [admin()] }), token({ userId: 'boss', purpose: 'control', observer: 'admin', readOnly: true }))).toMatchObject({ allowed: false });
  });

  it('caps connections per share link and per user; a released slot is free again', async () => {
    const h = harness({ perUser: 2, perShareLink: 2 });
    const store = reads({ envs: [env()], shares: [share()] });
    const view = () => token({ purpose: 'view', shareId: 'share1', userId: '' });
    const a = await admit(store, view(), h);
    expect((await admit(store, view(), h)).allowed).toBe(true);
    expect(await admit(store, view(), h)).toMatchObject({ allowed: false, code: 'QUOTA_EXCEEDED', message: /share link already has 2 open connections/ });
    if (a.allowed) a.lease.release();
    expect((await admit(store, view(), h)).allowed).toBe(true);
    // The owner's own connections count apart from the link's viewers.
    expect((await admit(store, token(), h)).allowed).toBe(true);
    expect((await admit(store, token(), h)).allowed).toBe(true);
    expect(await admit(store, token(), h)).toMatchObject({ allowed: false, code: 'QUOTA_EXCEEDED', message: /You already have 2 open display connections/ });
  });
});
