import { isResync, type ChangeFeed, type ChangeFeedEvent } from '../ports/change-feed';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { authorizeEnvironment, requireUser } from './authorize';
import { describeEnvironments } from './describe-environment';
import type { PublicEnvironment } from './public-environment';

/** How many of the caller's environments a snapshot (start, resync) re-reads. */
const SNAPSHOT_LIMIT = 200;
/** How often environments still waiting for a worker are looked at again (a dead worker sends no change). */
const PENDING_RECHECK_MS = 5_000;

/**
 * Live public views of the caller's environments (or of one, `id`), read
 * fresh from the store after each committed change.
 *
 * Authorization happens before this returns: an unknown or foreign `id`
 * answers NOT_FOUND like get. Without `id` only the caller's own
 * environments are followed (admins included). The stream starts with the
 * current state (so a client never misses what changed between its first
 * read and subscribing), then yields each change in commit order; changes
 * that land while a read is in flight are coalesced into the latest state,
 * and nothing identical to what was last yielded is sent twice. After a gap
 * in the feed (`resync`) everything is re-read. A queued environment is also
 * re-read when others' changes may have moved it up the queue.
 */
export async function watchEnvironments(opts: {
  store: Store;
  actor: Actor;
  changes: ChangeFeed;
  id?: string;
  signal?: AbortSignal;
}): Promise<AsyncGenerator<PublicEnvironment, void, unknown>> {
  const { store, actor, changes, id, signal } = opts;
  const userId = requireUser(actor);

  const pending: ChangeFeedEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = changes.subscribe((c) => {
    pending.push(c);
    wake?.();
  });
  try {
    // Subscribed first, so nothing that commits after this read is lost.
    if (id) await authorizeEnvironment({ teams: store.teams, actor, env: await store.environments.findById(id), id, action: 'read' });
  } catch (e) {
    unsubscribe();
    throw e;
  }
  // Also when the caller goes away before the stream is ever read.
  signal?.addEventListener('abort', unsubscribe, { once: true });

  const mine = (env: EnvironmentRecord | null): env is EnvironmentRecord => {
    if (!env) return false;
    // Readable: checked by authorizeEnvironment above (owner, team owner/admin/viewer, global admin).
    if (id) return env.id === id;
    return env.ownerId === userId;
  };
  const snapshot = async (): Promise<EnvironmentRecord[]> =>
    id
      ? [await store.environments.findById(id)].filter(mine)
      : (await store.environments.listByOwner(userId, { includeTerminated: true, limit: SNAPSHOT_LIMIT })).filter(mine);

  const last = new Map<string, string>();
  const queued = new Set<string>();
  // Pending ones are looked at again now and then: a worker that stopped answering sends no change.
  const pendingIds = new Set<string>();
  const fingerprint = (e: PublicEnvironment) => `${e.updatedAt.getTime()}|${e.state}|${e.queuePosition ?? ''}|${e.noLiveHost}`;

  async function* run(): AsyncGenerator<PublicEnvironment, void, unknown> {
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let reads: EnvironmentRecord[] = await snapshot();
      for (;;) {
        for (const env of await describeEnvironments({ store, envs: reads })) {
          const fp = fingerprint(env);
          if (last.get(env.id) === fp) continue;
          last.set(env.id, fp);
          if (env.queuePosition === null) queued.delete(env.id);
          else queued.add(env.id);
          if (env.state === 'requested' || env.state === 'provisioning') pendingIds.add(env.id);
          else pendingIds.delete(env.id);
          yield env;
        }
        let timedOut = false;
        while (pending.length === 0 && !signal?.aborted && !timedOut) {
          const timer = pendingIds.size > 0 ? setTimeout(() => ((timedOut = true), wake?.()), PENDING_RECHECK_MS) : null;
          await new Promise<void>((resolve) => (wake = resolve));
          if (timer) clearTimeout(timer);
          wake = null;
        }
        if (signal?.aborted) return;
        if (timedOut && pending.length === 0) {
          reads = (await Promise.all([...pendingIds].map((envId) => store.environments.findById(envId)))).filter(mine);
          continue;
        }
        const batch = pending.splice(0);
        if (batch.some(isResync)) {
          reads = await snapshot();
          continue;
        }
        const ids: string[] = [];
        let othersMoved = false;
        for (const c of batch) {
          if (isResync(c)) continue;
          const relevant = id ? c.id === id : c.ownerId === userId;
          if (relevant) {
            if (!ids.includes(c.id)) ids.push(c.id);
          } else {
            othersMoved = true;
          }
        }
        // Someone else's change can move our queued environments up.
        if (othersMoved) {
          for (const envId of queued) if (!ids.includes(envId)) ids.push(envId);
        }
        reads = (await Promise.all(ids.map((envId) => store.environments.findById(envId)))).filter(mine);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      signal?.removeEventListener('abort', unsubscribe);
      unsubscribe();
    }
  }
  return run();
}
