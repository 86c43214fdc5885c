import { AppError, isAppError } from '../errors/app-error';
import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { transitionEnvironment } from './transition-environment';
import { toCatalogApp } from '../admin/catalog-app-input';

const WORKER: Actor = { kind: 'worker' };

/**
 * Worker side of create: requested → provisioning → running (or failed).
 * Long runtime calls happen outside any transaction; every state change is
 * re-checked under a row lock, so a terminate that raced us wins and the
 * sandbox we just made is removed.
 */
/**
 * How long a started sandbox has to show its desktop before provisioning fails.
 * A VM boots a kernel first, and where KVM is unusable QEMU emulates the CPU:
 * a cold boot measured ~21 s idle and went past 30 s on a loaded CI machine.
 */
const DESKTOP_UP_TIMEOUT_MS: Record<'container' | 'vm', number> = { container: 30_000, vm: 120_000 };

export async function provisionEnvironment(opts: {
  store: Store;
  driver: RuntimeDriver;
  id: string;
  hostName: string;
  onProgress?: (line: string) => void;
}): Promise<EnvironmentRecord | null> {
  const { store, driver, id } = opts;
  let env: EnvironmentRecord;
  try {
    env = await store.transaction(async (tx) => {
      // A job left on a host's queue after the reaper moved the environment elsewhere (or back to the queue) is stale.
      const current = await tx.environments.lock(id);
      if (current && current.host !== opts.hostName) {
        throw new AppError('ILLEGAL_TRANSITION', `environment is placed on ${current.host ?? 'no host'}, not ${opts.hostName}`);
      }
      return transitionEnvironment({ tx, id, to: 'provisioning', actor: WORKER, expectFrom: ['requested'], reason: 'picked up by worker', patch: { host: opts.hostName } });
    });
  } catch (e) {
    // Already provisioned, terminated or failed: a redelivered job is a no-op.
    if (isAppError(e) && (e.code === 'ILLEGAL_TRANSITION' || e.code === 'NOT_FOUND')) return null;
    throw e;
  }

  let runtimeRef: string | null = null;
  try {
    // The catalog is read here, for this environment: admin-added apps install and launch without any earlier call having loaded them.
    const apps = env.spec.apps.length ? (await store.admin.catalog.list({ ids: env.spec.apps })).map(toCatalogApp) : [];
    ({ runtimeRef } = await driver.create({ environmentId: id, spec: env.spec, ownerId: env.ownerId, teamId: env.teamId, apps, onProgress: opts.onProgress }));
    await store.transaction((tx) => tx.environments.update(id, { runtimeRef }));
    await driver.start(runtimeRef);
    const displayEndpoint = await driver.displayEndpoint(runtimeRef, { timeoutMs: DESKTOP_UP_TIMEOUT_MS[env.spec.runtime] });
    return await store.transaction((tx) =>
      transitionEnvironment({ tx, id, to: 'running', actor: WORKER, expectFrom: ['provisioning'], reason: 'display ready', patch: { displayEndpoint, startedAt: new Date() } }),
    );
  } catch (e) {
    await driver.terminate({ environmentId: id, runtimeRef }).catch(() => undefined);
    const message = e instanceof Error ? e.message : String(e);
    const failed = await store
      .transaction((tx) =>
        transitionEnvironment({ tx, id, to: 'failed', actor: WORKER, expectFrom: ['provisioning'], reason: message.slice(0, 500), patch: { error: message.slice(0, 2000), displayEndpoint: null } }),
      )
      .catch(() => null); // lost the race to a terminate: nothing to record
    return failed;
  }
}
