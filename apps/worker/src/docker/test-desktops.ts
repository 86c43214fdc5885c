import type { EnvironmentSpec, RuntimeDriver } from '@genos/core';

/**
 * The desktops one test suite makes, so its afterAll ends every one of them
 * (even after a failed test) before the suite's database and state dir go.
 */
export function testDesktops(driver: RuntimeDriver, spec: EnvironmentSpec) {
  const made = new Map<string, string | null>();
  return {
    /** Creates (and, unless `start` is false, starts) a desktop; its runtime ref. */
    async up(environmentId: string, opts: { ownerId?: string; start?: boolean } = {}): Promise<string> {
      made.set(environmentId, null);
      const { runtimeRef } = await driver.create({ environmentId, spec, ownerId: opts.ownerId });
      made.set(environmentId, runtimeRef);
      if (opts.start !== false) await driver.start(runtimeRef);
      return runtimeRef;
    },
    /** Ends one desktop now. */
    async end(environmentId: string): Promise<void> {
      await driver.terminate({ environmentId, runtimeRef: made.get(environmentId) ?? null });
      made.delete(environmentId);
    },
    /** For afterAll: ends what is left, then runs `cleanup` whatever happened. */
    async endAll(cleanup: () => Promise<void>): Promise<void> {
      try {
        for (const [environmentId, runtimeRef] of made) await driver.terminate({ environmentId, runtimeRef }).catch(() => undefined);
      } finally {
        await cleanup();
      }
    },
  };
}
