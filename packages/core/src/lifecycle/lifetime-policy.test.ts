import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../spec/environment-spec';
import { decideLifetimeAction, lifetimeDeadlines, lifetimeReason, type LifetimeInput } from './lifetime-policy';

const T0 = new Date('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Started at T0, 30 idle minutes, 8 hours max, no input yet. */
const env = (over: Partial<LifetimeInput> & { idle?: number; maxHours?: number } = {}): LifetimeInput => {
  const { idle = 30, maxHours = 8, ...rest } = over;
  return {
    state: 'running',
    spec: { ...DEFAULT_SPEC, lifetime: { idleSuspendMinutes: idle, maxHours } },
    poolId: null,
    startedAt: T0,
    claimedAt: null,
    lastInputAt: null,
    warning: null,
    warnedAt: null,
    ...rest,
  };
};
const decide = (e: LifetimeInput, minutes: number) => decideLifetimeAction({ env: e, now: at(minutes) });

describe('decideLifetimeAction', () => {
  it('does nothing while the desktop is in use', () => {
    expect(decide(env(), 0)).toBe('none');
    expect(decide(env(), 27.9)).toBe('none');
    expect(decide(env({ lastInputAt: at(100) }), 127.9)).toBe('none');
  });

  it('warns 2 minutes before the idle suspend, once', () => {
    expect(decide(env(), 28)).toBe('warn-idle');
    expect(decide(env({ warning: 'idle', warnedAt: at(28) }), 29)).toBe('none');
  });

  it('suspends after idleSuspendMinutes without input, warned or not', () => {
    expect(decide(env({ warning: 'idle', warnedAt: at(28) }), 30)).toBe('suspend');
    expect(decide(env(), 45)).toBe('suspend');
  });

  it('counts idle time from the latest of last input, start and claim', () => {
    expect(decide(env({ lastInputAt: at(20) }), 47.9)).toBe('none');
    expect(decide(env({ lastInputAt: at(20) }), 48)).toBe('warn-idle');
    expect(decide(env({ lastInputAt: at(20) }), 50)).toBe('suspend');
    expect(decide(env({ claimedAt: at(60) }), 89)).toBe('warn-idle');
    expect(decide(env({ claimedAt: at(60) }), 87)).toBe('none');
    // An input older than the start does not make the desktop idle sooner.
    expect(decide(env({ lastInputAt: at(-100) }), 20)).toBe('none');
  });

  it('warns at half the idle time when that is shorter than 4 minutes', () => {
    expect(decide(env({ idle: 3 }), 1.4)).toBe('none');
    expect(decide(env({ idle: 3 }), 1.5)).toBe('warn-idle');
    expect(decide(env({ idle: 3 }), 3)).toBe('suspend');
    expect(decide(env({ idle: 4 }), 1.9)).toBe('none');
    expect(decide(env({ idle: 4 }), 2)).toBe('warn-idle');
  });

  it('takes input after a warning as clearing it: a new idle period warns again', () => {
    // Warned at 28, input at 29: the old warning is stale, the next one comes 28 minutes later.
    const e = env({ warning: 'idle', warnedAt: at(28), lastInputAt: at(29) });
    expect(decide(e, 56)).toBe('none');
    expect(decide(e, 57)).toBe('warn-idle');
    expect(decide(e, 59)).toBe('suspend');
  });

  it('warns 10 minutes before the hard limit, once, and ends the desktop at it', () => {
    const busy = (m: number) => env({ lastInputAt: at(m - 1) });
    expect(decide(busy(469.9), 469.9)).toBe('none');
    expect(decide(busy(470), 470)).toBe('warn-expiry');
    expect(decide({ ...busy(475), warning: 'expiry', warnedAt: at(470) }, 475)).toBe('none');
    expect(decide({ ...busy(480), warning: 'expiry', warnedAt: at(470) }, 480)).toBe('terminate');
    expect(decide(busy(480), 480)).toBe('terminate');
  });

  it('warns about expiry before idling, then idles without warning about expiry again', () => {
    // Idle since 445: both warnings are due at 473.
    const idle = env({ lastInputAt: at(445) });
    expect(decide(idle, 473)).toBe('warn-expiry');
    const afterExpiry = { ...idle, warning: 'expiry', warnedAt: at(473) };
    expect(decide(afterExpiry, 473.25)).toBe('warn-idle');
    const afterIdle = { ...idle, warning: 'idle', warnedAt: at(473.25) };
    expect(decide(afterIdle, 474)).toBe('none');
    // Input clears the idle warning (the store nulls it, warnedAt stays): the expiry one is still counted as given.
    const afterInput = { ...afterIdle, warning: null, lastInputAt: at(474) };
    expect(decide(afterInput, 475)).toBe('none');
    expect(decide(afterIdle, 475)).toBe('suspend');
  });

  it('ends before it suspends, and ends suspended desktops at the limit', () => {
    expect(decide(env({ maxHours: 0.25 }), 15)).toBe('terminate');
    expect(decide(env({ state: 'suspended' }), 479)).toBe('none');
    expect(decide(env({ state: 'suspended' }), 480)).toBe('terminate');
  });

  it('counts the hard limit from the claim for warm-pool desktops', () => {
    const claimed = env({ claimedAt: at(300), lastInputAt: at(779) });
    expect(decide(claimed, 780)).toBe('terminate');
    expect(decide({ ...claimed, lastInputAt: at(481) }, 482)).toBe('none');
  });

  it('leaves unclaimed pool members, unstarted and ended desktops alone', () => {
    expect(decide(env({ poolId: 'pool1' }), 10_000)).toBe('none');
    expect(decide(env({ startedAt: null }), 10_000)).toBe('none');
    for (const state of ['requested', 'provisioning', 'terminated', 'failed'] as const) expect(decide(env({ state }), 10_000)).toBe('none');
  });

  it('takes other warning leads', () => {
    expect(decideLifetimeAction({ env: env(), now: at(25), warnBeforeMs: { idle: 5 * 60_000, expiry: 60_000 } })).toBe('warn-idle');
    expect(decideLifetimeAction({ env: env({ lastInputAt: at(470) }), now: at(475), warnBeforeMs: { idle: 5 * 60_000, expiry: 60_000 } })).toBe('none');
  });

  it('explains itself in plain words', () => {
    expect(lifetimeReason.suspend(env())).toBe('idle for 30 minutes');
    expect(lifetimeReason.terminate(env())).toBe('reached its 8-hour limit');
    expect(lifetimeReason.terminate(env({ maxHours: 0.5 }))).toBe('reached its 30-minute limit');
    expect(lifetimeReason.idleWarning(env(), at(28))).toBe('no input for 28 minutes: suspending in 2 minutes');
    expect(lifetimeReason.expiryWarning(env())).toBe('ends at 2026-03-02T17:00:00.000Z (its 8-hour limit)');
    expect(lifetimeDeadlines(env({ startedAt: null }))).toBeNull();
  });
});
