import type { Actor, Store } from '../ports/store';

const SYSTEM: Actor = { kind: 'system' };

/** The warning code a running desktop carries while its Tor gateway cannot reach the Tor network. */
export const TOR_UNREACHABLE = 'tor-unreachable';

/**
 * Says on a running environment that its network path is broken (today: the
 * Tor gateway cannot reach Tor), or clears that once it works. The desktop
 * stays: its owner can still use it and read why pages do not load. Kept in
 * `warning` without `warnedAt`, so the lifetime policy's own warnings (idle,
 * expiry) are neither blocked nor taken as given; they replace it when due.
 * Audited; returns whether anything changed.
 */
export async function reportNetworkProblem(opts: { store: Store; id: string; problem: typeof TOR_UNREACHABLE | null; detail?: string }): Promise<boolean> {
  return opts.store.transaction(async (tx) => {
    const current = await tx.environments.lock(opts.id);
    if (!current || current.state !== 'running') return false;
    if (opts.problem === null ? current.warning !== TOR_UNREACHABLE : current.warning !== null) return false;
    await tx.environments.update(current.id, { warning: opts.problem, warnedAt: null });
    await tx.audit.record({
      actor: SYSTEM,
      action: opts.problem ? 'environment.network-problem' : 'environment.network-ok',
      targetType: 'environment',
      targetId: current.id,
      before: { warning: current.warning },
      after: { warning: opts.problem, ...(opts.detail ? { detail: opts.detail } : {}) },
    });
    return true;
  });
}
