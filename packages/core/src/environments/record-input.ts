import type { Store } from '../ports/store';

/** At most one input write per environment per this interval. */
export const INPUT_RECORD_INTERVAL_MS = 15_000;

// Which instructions are input is the tunnel's to say: it parses them (apps/web tunnel-guard.ts).

/**
 * Someone used the desktop: remember when (the idle policy counts from it) and
 * clear a standing idle warning. Only running environments are touched.
 */
export async function recordInput(opts: { store: Pick<Store, 'environments'>; id: string; at?: Date }): Promise<boolean> {
  return opts.store.environments.recordInput(opts.id, opts.at ?? new Date());
}

/**
 * Throttles input records per environment, off the stream's path: `seen` never
 * waits and never throws; a failed write is reported and retried on the next
 * input after the interval.
 */
export function createInputRecorder(opts: {
  store: Pick<Store, 'environments'>;
  intervalMs?: number;
  now?: () => number;
  onError?: (e: unknown) => void;
}): { seen(environmentId: string): void; due(environmentId: string): boolean } {
  const interval = opts.intervalMs ?? INPUT_RECORD_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  const nextAt = new Map<string, number>();
  return {
    /** Whether a write would happen now (lets callers skip parsing instructions in between). */
    due: (id) => now() >= (nextAt.get(id) ?? 0),
    seen(id) {
      const t = now();
      if (t < (nextAt.get(id) ?? 0)) return;
      if (nextAt.size > 10_000) for (const [k, v] of nextAt) if (v <= t) nextAt.delete(k);
      nextAt.set(id, t + interval);
      recordInput({ store: opts.store, id, at: new Date(t) }).catch((e: unknown) => opts.onError?.(e));
    },
  };
}
