import type { EnvironmentState } from '../lifecycle/environment-state';
import type { RuntimeDriver, RuntimeSandbox } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { transitionEnvironment } from './transition-environment';
import type { WorkInProgress } from './work-in-progress';

const SYSTEM: Actor = { kind: 'system' };
const LIVE: EnvironmentState[] = ['requested', 'provisioning', 'running', 'suspended'];

export type ReconcileRow = Pick<EnvironmentRecord, 'id' | 'state' | 'host' | 'hostLost' | 'runtimeRef'>;

export type ReconcileAction =
  /** A sandbox nothing in the database accounts for: remove it. */
  | { kind: 'remove-sandbox'; environmentId: string; runtimeRef: string; reason: string }
  /** The database says it runs here, the runtime disagrees (or provisioning was cut off): fail it and clean up. */
  | { kind: 'fail'; environmentId: string; runtimeRef: string | null; from: EnvironmentState; reason: string; error: string }
  /** Its host was reported lost, but the sandbox is fine: clear the flag. */
  | { kind: 'host-back'; environmentId: string };

/**
 * Pure: compares this host's environment rows (plus the rows of every sandbox
 * found, wherever they are placed) with the sandboxes the runtime really has,
 * and says what to repair. `atStart`: nothing is in flight on this host yet,
 * so `provisioning` here means a previous worker was cut off.
 */
export function planReconcile(opts: {
  hostName: string;
  rows: ReconcileRow[];
  sandboxes: RuntimeSandbox[];
  atStart: boolean;
  /** Only clear hostLost while this host's row is up, or the reaper flags it again at once. */
  hostUp: boolean;
  /**
   * Environments a lifecycle job on this host is working on right now (terminate, suspend…):
   * theirs to finish. A desktop that a terminate is removing is not one that died.
   */
  busy?: Pick<WorkInProgress, 'has'>;
}): ReconcileAction[] {
  const { hostName } = opts;
  const idle = <T extends { environmentId?: string; id?: string }>(x: T) => !opts.busy?.has((x.environmentId ?? x.id)!);
  const rows = new Map(opts.rows.filter(idle).map((r) => [r.id, r]));
  const sandboxes = new Map(opts.sandboxes.filter(idle).map((s) => [s.environmentId, s]));
  const actions: ReconcileAction[] = [];

  for (const sb of sandboxes.values()) {
    const row = rows.get(sb.environmentId);
    const remove = (reason: string) => actions.push({ kind: 'remove-sandbox', environmentId: sb.environmentId, runtimeRef: sb.runtimeRef, reason });
    if (!row) remove('no environment row');
    else if (row.state === 'terminated' || row.state === 'failed') remove(`environment is ${row.state}`);
    else if (row.host !== hostName) remove(`environment belongs to ${row.host ? `host ${row.host}` : 'no host'}`);
    // Provisioning records the state before creating anything, so a sandbox of a requested one is a leftover.
    else if (row.state === 'requested') remove('environment is not provisioned yet');
  }

  for (const row of rows.values()) {
    if (row.host !== hostName) continue;
    const sb = sandboxes.get(row.id);
    if (row.state === 'provisioning' && opts.atStart) {
      actions.push({
        kind: 'fail',
        environmentId: row.id,
        runtimeRef: sb?.runtimeRef ?? row.runtimeRef,
        from: 'provisioning',
        reason: 'interrupted: the worker restarted while provisioning',
        error: 'provisioning was interrupted by a worker restart; please launch again',
      });
    } else if (row.state === 'running' || row.state === 'suspended') {
      if (!sb || sb.state === 'missing' || sb.state === 'exited') {
        const what = !sb || sb.state === 'missing' ? 'its container disappeared' : 'its container stopped';
        actions.push({ kind: 'fail', environmentId: row.id, runtimeRef: sb?.runtimeRef ?? row.runtimeRef, from: row.state, reason: what, error: `${what}; please launch again` });
      } else if (row.hostLost && opts.hostUp) {
        actions.push({ kind: 'host-back', environmentId: row.id });
      }
    }
  }
  return actions;
}

export interface ReconcileReport {
  removed: { environmentId: string; reason: string }[];
  failed: { environmentId: string; reason: string }[];
  back: string[];
  /** Repairs that could not be made this time: each isolated, the rest went on (retried next run). */
  errors: { environmentId: string | null; step: string; error: string }[];
}

/**
 * Makes the database and the runtime of one host agree, repairing both sides:
 * orphaned sandboxes are removed, environments whose sandbox is gone are
 * failed, interrupted provisioning (at start) is failed and cleaned up, and
 * environments flagged hostLost whose sandbox survived are cleared. Every
 * database change is re-checked under the row lock, so a lifecycle move that
 * raced the snapshot wins. One resource that cannot be repaired never stops
 * the others (nor the worker): its error is in the report and the next run
 * tries again.
 */
export async function reconcileHost(opts: { store: Store; driver: RuntimeDriver; hostName: string; atStart?: boolean; busy?: Pick<WorkInProgress, 'has'> }): Promise<ReconcileReport> {
  const { store, driver, hostName } = opts;
  const atStart = opts.atStart ?? false;
  // Rows first, then sandboxes: a row seen running had its sandbox before, so the list must show it.
  const rows: ReconcileRow[] = await store.environments.listByHost(hostName, LIVE);
  const sandboxes = await driver.list();
  const known = new Set(rows.map((r) => r.id));
  // Sandboxes made after the row snapshot, or of other hosts' and ended environments: read their rows now.
  for (const sb of sandboxes) {
    if (known.has(sb.environmentId)) continue;
    const row = await store.environments.findById(sb.environmentId);
    if (row) rows.push(row);
  }
  const hostUp = (await store.hosts.list()).some((h) => h.id === hostName && h.state === 'up');
  const report: ReconcileReport = { removed: [], failed: [], back: [], errors: [] };

  for (const action of planReconcile({ hostName, rows, sandboxes, atStart, hostUp, busy: opts.busy })) {
    try {
      await repair(action);
    } catch (e) {
      report.errors.push({ environmentId: action.environmentId, step: action.kind, error: e instanceof Error ? e.message : String(e) });
    }
  }
  try {
    await driver.sweep?.();
  } catch (e) {
    report.errors.push({ environmentId: null, step: 'sweep', error: e instanceof Error ? e.message : String(e) });
  }
  return report;

  async function repair(action: ReconcileAction): Promise<void> {
    if (action.kind === 'remove-sandbox') {
      await driver.terminate({ environmentId: action.environmentId, runtimeRef: action.runtimeRef });
      report.removed.push({ environmentId: action.environmentId, reason: action.reason });
    } else if (action.kind === 'fail') {
      let error = action.error;
      // Look again by name before failing a live one: the list only shows labelled sandboxes of this host.
      if (action.from !== 'provisioning' && action.runtimeRef) {
        const now = await driver.inspect(action.runtimeRef);
        if (now.exists && now.state !== 'exited') return;
        if (now.reason) error = `${now.reason}; please launch again`;
      }
      const failed = await store.transaction(async (tx) => {
        const current = await tx.environments.lock(action.environmentId);
        if (!current || current.state !== action.from || current.host !== hostName) return false;
        await transitionEnvironment({ tx, id: current.id, to: 'failed', actor: SYSTEM, reason: action.reason, patch: { error, displayEndpoint: null, hostLost: false } });
        return true;
      });
      if (!failed) return;
      report.failed.push({ environmentId: action.environmentId, reason: action.reason });
      // Failed first, cleaned up second: if the clean-up breaks, the leftovers are listed next run and removed then.
      await driver.terminate({ environmentId: action.environmentId, runtimeRef: action.runtimeRef });
    } else {
      const cleared = await store.transaction(async (tx) => {
        const current = await tx.environments.lock(action.environmentId);
        if (!current || !current.hostLost || current.host !== hostName || (current.state !== 'running' && current.state !== 'suspended')) return false;
        await tx.environments.update(current.id, { hostLost: false });
        await tx.events.append({ environmentId: current.id, fromState: current.state, toState: current.state, actor: SYSTEM, reason: `host ${hostName} is back` });
        await tx.audit.record({ actor: SYSTEM, action: 'environment.host-back', targetType: 'environment', targetId: current.id, before: { hostLost: true }, after: { hostLost: false, host: hostName } });
        return true;
      });
      if (cleared) report.back.push(action.environmentId);
    }
  }
}
