import { decideLifetimeAction, lifetimeReason, LIFETIME_WARN_BEFORE_MS, type LifetimeAction } from '../lifecycle/lifetime-policy';
import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { destroyEnvironment } from './destroy-environment';
import { performSuspend } from './suspend-environment';
import type { WorkInProgress } from './work-in-progress';

const SYSTEM: Actor = { kind: 'system' };

export interface LifetimeOutcome {
  id: string;
  action: Exclude<LifetimeAction, 'none'>;
  /** Present when acting on this environment failed; the others still ran. */
  error?: string;
}

/**
 * Applies the lifetime policy to one host's running (and suspended)
 * environments: warn, suspend when idle, end at the hard limit. Every action
 * is re-decided on the locked row, so input that arrived meanwhile wins, and
 * is audited. Warnings reach the browser through the row's change notification.
 */
export async function enforceLifetimePolicy(opts: {
  store: Store;
  driver: RuntimeDriver;
  hostName: string;
  now?: Date;
  warnBeforeMs?: { idle: number; expiry: number };
  /** Holds the environment being suspended or ended while that happens, for the reconciler to leave alone. */
  busy?: WorkInProgress;
}): Promise<LifetimeOutcome[]> {
  const { store, driver } = opts;
  const now = opts.now ?? new Date();
  const warnBeforeMs = opts.warnBeforeMs ?? LIFETIME_WARN_BEFORE_MS;
  const decide = (env: EnvironmentRecord) => decideLifetimeAction({ env, now, warnBeforeMs });
  const outcomes: LifetimeOutcome[] = [];

  for (const env of await store.environments.listByHost(opts.hostName, ['running', 'suspended'])) {
    const action = decide(env);
    if (action === 'none') continue;
    const release = opts.busy?.hold(env.id);
    try {
      let acted = false;
      if (action === 'warn-idle' || action === 'warn-expiry') {
        acted = await store.transaction(async (tx) => {
          const current = await tx.environments.lock(env.id);
          if (!current || decide(current) !== action) return false;
          const warning = action === 'warn-idle' ? 'idle' : 'expiry';
          const reason = action === 'warn-idle' ? lifetimeReason.idleWarning(current, now) : lifetimeReason.expiryWarning(current);
          await tx.environments.update(env.id, { warning, warnedAt: now });
          await tx.audit.record({
            actor: SYSTEM,
            action: 'environment.warned',
            targetType: 'environment',
            targetId: env.id,
            before: { warning: current.warning },
            after: { warning, reason },
          });
          return true;
        });
      } else if (action === 'suspend') {
        const after = await performSuspend({ store, driver, id: env.id, actor: SYSTEM, reason: lifetimeReason.suspend(env), onlyIf: (current) => decide(current) === 'suspend' });
        acted = after?.state === 'suspended';
      } else {
        const current = await store.environments.findById(env.id);
        if (current && decide(current) === 'terminate') {
          const after = await destroyEnvironment({ store, driver, id: env.id, actor: SYSTEM, reason: lifetimeReason.terminate(current) });
          acted = after?.state === 'terminated';
        }
      }
      if (acted) outcomes.push({ id: env.id, action });
    } catch (e) {
      outcomes.push({ id: env.id, action, error: e instanceof Error ? e.message : String(e) });
    } finally {
      release?.();
    }
  }
  return outcomes;
}
