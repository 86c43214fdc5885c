import { AppError } from '../errors/app-error';
import type { EnvironmentState } from '../lifecycle/environment-state';
import { isResync, type ChangeFeed } from '../ports/change-feed';
import type { Actor, Store } from '../ports/store';
import { authorizeEnvironment, requireUser } from './authorize';
import { describeEnvironment } from './describe-environment';
import type { PublicEnvironment } from './public-environment';

/**
 * Resolves once the environment is in one of `states`, woken by the change
 * feed rather than by polling. It subscribes before it reads, so a change
 * committed between the read and the wait is never lost. Reads only: nothing
 * is written. Unknown and foreign ids answer NOT_FOUND, like get.
 */
export async function waitForEnvironment(opts: {
  store: Store;
  actor: Actor;
  id: string;
  states: EnvironmentState[];
  timeoutMs: number;
  changes: ChangeFeed;
  /** Stops waiting early (the caller went away); rejects with the signal's reason. */
  signal?: AbortSignal;
}): Promise<PublicEnvironment> {
  const { store, actor, id, states, changes, signal } = opts;
  requireUser(actor);
  if (states.length === 0) throw new AppError('VALIDATION', 'name at least one state to wait for');
  const deadline = Date.now() + opts.timeoutMs;

  /** Something changed since the last read began. */
  let dirty: boolean;
  /** A notification said it got there, even if it has moved on by the time we read it. */
  let reached = false;
  let wake: (() => void) | null = null;
  const unsubscribe = changes.subscribe((c) => {
    if (isResync(c) || c.id === id) {
      if (!isResync(c) && states.includes(c.state)) reached = true;
      dirty = true;
      wake?.();
    }
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      dirty = false;
      const env = await authorizeEnvironment({ teams: store.teams, actor, env: await store.environments.findById(id), id, action: 'read' });
      if (reached || states.includes(env.state)) return await describeEnvironment({ store, env });
      if (dirty) continue;
      signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new AppError('TIMEOUT', `environment ${id} is still ${env.state} after ${opts.timeoutMs} ms (waited for ${states.join(' or ')})`, {
          state: env.state,
          states,
        });
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, left);
      });
      wake = null;
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
