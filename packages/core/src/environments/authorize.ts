import { AppError, isAppError, type AppErrorCode } from '../errors/app-error';
import type { Actor, EnvironmentRecord, Store, TeamRole, TeamRoleReader } from '../ports/store';

/**
 * The one place that says who may do what.
 *
 * Environments (`authorizeEnvironment`):
 *
 * | caller                                   | read (get, list, waitFor, onChange) | manage (terminate, suspend, resume) | connect (display) |
 * |------------------------------------------|------------------------------------|-------------------------------------|-------------------|
 * | its owner                                | yes                                | yes                                 | yes               |
 * | global admin                             | yes                                | yes                                 | FORBIDDEN         |
 * | owner or admin of the environment's team | yes                                | yes                                 | FORBIDDEN         |
 * | viewer of the environment's team         | yes                                | FORBIDDEN                           | FORBIDDEN         |
 * | member of the team (not its owner)       | NOT_FOUND                          | NOT_FOUND                           | NOT_FOUND         |
 * | anyone else                              | NOT_FOUND                          | NOT_FOUND                           | NOT_FOUND         |
 *
 * Creating in a team needs role member or above (viewer: FORBIDDEN, not a member: NOT_FOUND).
 * Someone else's environment answers exactly like a missing one, so ids cannot be probed.
 *
 * Teams (`requireTeamRole`): a non-member gets NOT_FOUND; a member below the needed role FORBIDDEN.
 * Invite, revoke invitations, change roles, remove members: owner or admin; only an owner grants,
 * changes or removes the owner role; the last owner stays. Anyone may leave (remove themselves).
 *
 * API tokens carry scopes (`API_SCOPES`); a session user has every scope its global role allows.
 */
export type EnvironmentAction = 'read' | 'manage' | 'connect';

/** Strongest first; a lower index outranks a higher one. */
const RANK: Record<TeamRole, number> = { owner: 0, admin: 1, member: 2, viewer: 3 };

/** Whether `role` is `min` or stronger. */
export const teamRoleAtLeast = (role: TeamRole | null | undefined, min: TeamRole): boolean => role != null && RANK[role] <= RANK[min];

/** Team roles that see every environment of their team. */
const SEES_TEAM: TeamRole[] = ['owner', 'admin', 'viewer'];
/** Team roles that manage every environment of their team. */
const MANAGES_TEAM: TeamRole[] = ['owner', 'admin'];

export function requireUser(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.id) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return actor.id;
}

const notFound = (id: string) => new AppError('NOT_FOUND', `no environment with id ${id}`);

/**
 * Checks `action` on `env` for `actor` and returns the environment; throws
 * NOT_FOUND for missing and invisible ones, FORBIDDEN for visible ones the
 * actor may not change. Workers and the system pass.
 */
export async function authorizeEnvironment(opts: {
  teams: TeamRoleReader;
  actor: Actor;
  env: EnvironmentRecord | null;
  id: string;
  action: EnvironmentAction;
}): Promise<EnvironmentRecord> {
  const { actor, env, id, action } = opts;
  if (!env) throw notFound(id);
  if (actor.kind !== 'user') return env;
  const userId = requireUser(actor);
  if (env.ownerId === userId) return env;
  const teamRole = env.teamId ? await opts.teams.role(env.teamId, userId) : null;
  const sees = actor.isAdmin === true || (teamRole !== null && SEES_TEAM.includes(teamRole));
  if (!sees) throw notFound(id);
  if (action === 'read') return env;
  if (action === 'connect') throw new AppError('FORBIDDEN', 'only the owner can open this desktop');
  if (actor.isAdmin === true || (teamRole !== null && MANAGES_TEAM.includes(teamRole))) return env;
  throw new AppError('FORBIDDEN', 'team viewers can look at this environment but not change it');
}

/**
 * The teams whose environments `userId` sees besides their own: those where
 * they are owner, admin or viewer (members see only their own).
 */
export async function visibleTeamIds(store: Store, userId: string): Promise<string[]> {
  return (await store.teams.listForUser(userId)).filter((t) => SEES_TEAM.includes(t.role)).map((t) => t.id);
}

/**
 * The actor's role in the team, when it is `min` or stronger. A non-member
 * gets NOT_FOUND (teams cannot be probed), a weaker member FORBIDDEN.
 */
export async function requireTeamRole(opts: { teams: TeamRoleReader; actor: Actor; teamId: string; min: TeamRole; doing?: string }): Promise<TeamRole> {
  const userId = requireUser(opts.actor);
  const role = await opts.teams.role(opts.teamId, userId);
  if (!role) throw new AppError('NOT_FOUND', `no team with id ${opts.teamId}`);
  if (!teamRoleAtLeast(role, opts.min)) {
    throw new AppError('FORBIDDEN', `${opts.doing ?? 'this'} needs the ${opts.min} role or above in this team; you are ${role === 'admin' || role === 'owner' ? 'an' : 'a'} ${role}`);
  }
  return role;
}

/** Scopes an API token can carry. A session user has all its global role allows. */
export const API_SCOPES = ['environments:read', 'environments:write', 'environments:control', 'composer', 'teams:read', 'teams:write', 'tokens', 'admin', 'metrics:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Scopes only global admins hold: metrics count every team's desktops, users' sign-in failures and hosts. */
export const ADMIN_ONLY_SCOPES: readonly ApiScope[] = ['admin', 'metrics:read'];

/** Every scope a user with this global role may hold. */
export const scopesForRole = (role: 'admin' | 'user'): ApiScope[] => API_SCOPES.filter((s) => !ADMIN_ONLY_SCOPES.includes(s) || role === 'admin');

/** Whether the granted scopes include `needed`; tokens from before scopes ('environments') mean read and write. */
export function hasScope(granted: readonly string[], needed: ApiScope): boolean {
  if (granted.includes(needed)) return true;
  return granted.includes('environments') && (needed === 'environments:read' || needed === 'environments:write');
}

/** Codes whose refusal of a security-relevant action is worth a `<action>.denied` audit row. */
const AUDITED_REFUSALS: AppErrorCode[] = ['FORBIDDEN', 'CONFLICT', 'CONTROL_TAKEN'];

/**
 * Runs `fn`; when it refuses the action (FORBIDDEN, or CONFLICT such as
 * "the last owner"), records `<action>.denied` with the reason in a
 * transaction of its own (the refused one rolled back), then rethrows.
 */
export async function auditRefusal<T>(
  opts: { store: Store; actor: Actor; action: string; targetType: string; targetId: string | null; attempted?: unknown },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAppError(e) && AUDITED_REFUSALS.includes(e.code) && opts.actor.kind === 'user' && opts.actor.id) {
      await opts.store
        .transaction((tx) =>
          tx.audit.record({
            actor: opts.actor,
            action: `${opts.action}.denied`,
            targetType: opts.targetType,
            targetId: opts.targetId,
            before: null,
            after: { refused: e.code, reason: e.message, ...(opts.attempted === undefined ? {} : { attempted: opts.attempted }) },
          }),
        )
        .catch(() => undefined);
    }
    throw e;
  }
}

/**
 * @deprecated synchronous owner/global-admin check without team roles; use
 * authorizeEnvironment. Kept for callers that have no store at hand.
 */
export function assertCanAccess(actor: Actor, env: EnvironmentRecord | null, id: string): EnvironmentRecord {
  if (!env || (actor.kind === 'user' && !actor.isAdmin && env.ownerId !== actor.id)) throw notFound(id);
  return env;
}
