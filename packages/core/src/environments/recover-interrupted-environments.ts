import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Store } from '../ports/store';
import { transitionEnvironment } from './transition-environment';

/**
 * Run when a worker starts: nothing can be in flight on this host yet, so an
 * environment still marked `provisioning` here was interrupted (the previous
 * worker died). Remove whatever half-made sandbox exists and mark it failed,
 * so nothing stays stuck and nothing is orphaned.
 */
export async function recoverInterruptedEnvironments(opts: { store: Store; driver: RuntimeDriver; hostName: string }): Promise<string[]> {
  const stuck = await opts.store.environments.listByHost(opts.hostName, ['provisioning']);
  const recovered: string[] = [];
  for (const env of stuck) {
    await opts.driver.terminate({ environmentId: env.id, runtimeRef: env.runtimeRef });
    await opts.store.transaction((tx) =>
      transitionEnvironment({
        tx,
        id: env.id,
        to: 'failed',
        actor: { kind: 'system' },
        expectFrom: ['provisioning'],
        reason: 'interrupted: the worker restarted while provisioning',
        patch: { error: 'provisioning was interrupted by a worker restart; please launch again', displayEndpoint: null },
      }),
    );
    recovered.push(env.id);
  }
  return recovered;
}
