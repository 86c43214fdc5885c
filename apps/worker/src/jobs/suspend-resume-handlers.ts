import { enforceLifetimePolicy, performResizeDisplay, performResume, performSuspend, type EnvironmentJob, type HostJobName, type ResizeDisplayJob, type RuntimeDriver, type Store, type WorkInProgress } from '@genos/core';
import type { Logger } from '../logger';

/** Host jobs for suspend, resume and display resizes, for registerHandlers' `extra` option. */
export function suspendResumeHandlers(opts: { store: Store; driver: RuntimeDriver; log: Logger }): Partial<Record<HostJobName, (job: EnvironmentJob) => Promise<void>>> {
  const { store, driver, log } = opts;
  return {
    'environment.suspend': async ({ environmentId }) => {
      const env = await performSuspend({ store, driver, id: environmentId });
      log.info({ environmentId, state: env?.state }, 'suspend finished');
    },
    'environment.resume': async ({ environmentId }) => {
      const env = await performResume({ store, driver, id: environmentId });
      log.info({ environmentId, state: env?.state, error: env?.error }, 'resume finished');
    },
    'environment.resize-display': async (job) => {
      await performResizeDisplay({ store, driver, ...(job as ResizeDisplayJob) });
    },
  };
}

export const LIFETIME_POLICY_INTERVAL_MS = 15_000;

/** Runs the lifetime policy for this host's environments on a timer; one pass at a time. */
export function startLifetimePolicy(opts: { store: Store; driver: RuntimeDriver; hostName: string; log: Logger; intervalMs?: number; busy?: WorkInProgress }): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void enforceLifetimePolicy({ store: opts.store, driver: opts.driver, hostName: opts.hostName, busy: opts.busy })
      .then((outcomes) => {
        for (const o of outcomes) {
          if (o.error) opts.log.error({ environmentId: o.id, action: o.action, err: o.error }, 'lifetime policy action failed');
          else opts.log.info({ environmentId: o.id, action: o.action }, 'lifetime policy');
        }
      })
      .catch((err) => opts.log.error({ err }, 'lifetime policy pass failed'))
      .finally(() => (busy = false));
  }, opts.intervalMs ?? LIFETIME_POLICY_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
