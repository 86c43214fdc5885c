import type { EnvironmentRecord } from '../ports/store';

export type LifetimeAction = 'none' | 'warn-idle' | 'suspend' | 'warn-expiry' | 'terminate';
export type LifetimeWarning = 'idle' | 'expiry';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long before the idle suspend and the hard limit the user is warned. */
export const LIFETIME_WARN_BEFORE_MS = { idle: 2 * MINUTE, expiry: 10 * MINUTE } as const;
/** Idle limits shorter than this are warned at half the idle time instead. */
const SHORT_IDLE_MS = 4 * MINUTE;

export type LifetimeInput = Pick<
  EnvironmentRecord,
  'state' | 'spec' | 'poolId' | 'startedAt' | 'claimedAt' | 'lastInputAt' | 'warning' | 'warnedAt'
>;

export interface LifetimeDeadlines {
  /** Start of the current idle period: the latest of last input, start and claim. */
  idleSince: Date;
  idleWarnAt: Date;
  suspendAt: Date;
  /** The hard limit counts from the claim for warm-pool members, else from the start. */
  expiresAt: Date;
  expiryWarnAt: Date;
}

const later = (...ds: (Date | null)[]): Date | null =>
  ds.reduce<Date | null>((a, d) => (d && (!a || d.getTime() > a.getTime()) ? d : a), null);

/** When an environment is warned, suspended and ended; null before it started. */
export function lifetimeDeadlines(env: LifetimeInput, warnBeforeMs: { idle: number; expiry: number } = LIFETIME_WARN_BEFORE_MS): LifetimeDeadlines | null {
  if (!env.startedAt) return null;
  const idleSince = later(env.lastInputAt, env.startedAt, env.claimedAt)!;
  const idleMs = env.spec.lifetime.idleSuspendMinutes * MINUTE;
  const idleLead = idleMs < SHORT_IDLE_MS ? idleMs / 2 : Math.min(warnBeforeMs.idle, idleMs);
  const lifeStart = later(env.startedAt, env.claimedAt)!;
  const lifeMs = env.spec.lifetime.maxHours * HOUR;
  const expiresAt = new Date(lifeStart.getTime() + lifeMs);
  return {
    idleSince,
    idleWarnAt: new Date(idleSince.getTime() + idleMs - idleLead),
    suspendAt: new Date(idleSince.getTime() + idleMs),
    expiresAt,
    expiryWarnAt: new Date(expiresAt.getTime() - Math.min(warnBeforeMs.expiry, lifeMs)),
  };
}

/**
 * Whether the expiry warning was given. The decision below warns about expiry
 * before anything else once its window opens, so any warning given since then
 * means the expiry one was given (an idle warning may have replaced it since).
 */
export function expiryWarned(env: LifetimeInput, d: LifetimeDeadlines): boolean {
  return env.warning === 'expiry' || (env.warnedAt !== null && env.warnedAt.getTime() >= d.expiryWarnAt.getTime());
}

/** Whether the idle warning for the current idle period was given (input since then makes it stale). */
export function idleWarned(env: LifetimeInput, d: LifetimeDeadlines): boolean {
  return env.warning === 'idle' && env.warnedAt !== null && env.warnedAt.getTime() >= d.idleSince.getTime();
}

/**
 * The lifetime policy, pure: what to do with one environment at `now`.
 *
 * - Only running environments are acted on, plus suspended ones that reached
 *   their limit (so a paused desktop does not hold its host forever).
 *   Unclaimed warm-pool members are exempt.
 * - terminate at start (or claim) + maxHours; warn-expiry from 10 minutes before.
 * - suspend after idleSuspendMinutes without input (idle since the latest of
 *   last input, start, claim); warn-idle 2 minutes before, or at half the idle
 *   time when that is shorter than 4 minutes.
 * - Ending beats suspending beats warning; the expiry warning goes before the
 *   idle one. Each warning is given once: again only for a new idle period.
 */
export function decideLifetimeAction(opts: { env: LifetimeInput; now: Date; warnBeforeMs?: { idle: number; expiry: number } }): LifetimeAction {
  const { env, now } = opts;
  if (env.poolId !== null) return 'none';
  if (env.state !== 'running' && env.state !== 'suspended') return 'none';
  const d = lifetimeDeadlines(env, opts.warnBeforeMs ?? LIFETIME_WARN_BEFORE_MS);
  if (!d) return 'none';
  const t = now.getTime();
  if (t >= d.expiresAt.getTime()) return 'terminate';
  if (env.state !== 'running') return 'none';
  if (t >= d.suspendAt.getTime()) return 'suspend';
  if (t >= d.expiryWarnAt.getTime() && !expiryWarned(env, d)) return 'warn-expiry';
  if (t >= d.idleWarnAt.getTime() && !idleWarned(env, d)) return 'warn-idle';
  return 'none';
}

const minutes = (ms: number) => Math.max(1, Math.round(ms / MINUTE));
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
const hours = (h: number) => (Number.isInteger(h) ? `${h}-hour` : `${Math.round(h * 60)}-minute`);

/** Plain-language reasons, written to events and the audit log. */
export const lifetimeReason = {
  idleWarning: (env: LifetimeInput, now: Date) => {
    const d = lifetimeDeadlines(env)!;
    return `no input for ${plural(minutes(now.getTime() - d.idleSince.getTime()), 'minute')}: suspending in ${plural(minutes(d.suspendAt.getTime() - now.getTime()), 'minute')}`;
  },
  expiryWarning: (env: LifetimeInput) => `ends at ${lifetimeDeadlines(env)!.expiresAt.toISOString()} (its ${hours(env.spec.lifetime.maxHours)} limit)`,
  suspend: (env: LifetimeInput) => `idle for ${plural(env.spec.lifetime.idleSuspendMinutes, 'minute')}`,
  terminate: (env: LifetimeInput) => `reached its ${hours(env.spec.lifetime.maxHours)} limit`,
};
