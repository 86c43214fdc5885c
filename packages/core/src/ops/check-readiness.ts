/**
 * Readiness of a process: every dependency checked at once, each with its own
 * deadline, so one hung dependency (a guacd that accepts and never answers, a
 * database behind a dead route) makes the answer "not ready" within the
 * timeout instead of hanging the probe that asked.
 */
export interface ReadinessCheck {
  /** What the answer names: `database`, `queue`, `guacd`, `docker`, `libvirt`. */
  name: string;
  /** Resolves when the dependency answered; rejects (or outlives the timeout) when it did not. */
  check: () => Promise<unknown>;
}

export interface PartStatus {
  status: 'up' | 'down';
  latencyMs: number;
  /** Why it is down (for loopback and metrics-token callers only; see answer-ops-request.ts). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  /** The parts that are down, in the order they were given. */
  failing: string[];
  checks: Record<string, PartStatus>;
}

export const READINESS_TIMEOUT_MS = 2000;

export async function checkReadiness(opts: { checks: readonly ReadinessCheck[]; timeoutMs?: number; now?: () => number }): Promise<Readiness> {
  const timeoutMs = opts.timeoutMs ?? READINESS_TIMEOUT_MS;
  const now = opts.now ?? (() => performance.now());
  const results = await Promise.all(
    opts.checks.map(async ({ name, check }): Promise<[string, PartStatus]> => {
      const start = now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(check), deadline]);
        return [name, { status: 'up', latencyMs: Math.round(now() - start) }];
      } catch (e) {
        return [name, { status: 'down', latencyMs: Math.round(now() - start), error: (e as Error)?.message || String(e) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failing = results.filter(([, s]) => s.status === 'down').map(([n]) => n);
  return { ready: failing.length === 0, failing, checks: Object.fromEntries(results) };
}

/** A gauge labelled by dependency (prom-client's Gauge fits; core does not import it). */
export interface DependencyGauge {
  set(labels: { dependency: string }, value: number): void;
}

/** Sets genos_dependency_up (1/0) and genos_dependency_check_duration_seconds from one readiness answer, in web and worker alike. */
export function reportReadiness(r: Readiness, gauges: { up: DependencyGauge; seconds: DependencyGauge }): void {
  for (const [dependency, s] of Object.entries(r.checks)) {
    gauges.up.set({ dependency }, s.status === 'up' ? 1 : 0);
    gauges.seconds.set({ dependency }, s.latencyMs / 1000);
  }
}
