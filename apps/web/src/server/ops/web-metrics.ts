import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The web process's metrics, in a Registry of its own (never prom-client's
 * global one, which a library could fill). Kept on globalThis: Next bundles
 * the tRPC and Auth.js routes apart from server.ts, and both halves must count
 * into the one registry /metrics serves.
 */
function createWebMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'web' });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    composerDuration: new Histogram({
      name: 'genos_composer_duration_seconds',
      help: 'Time to compose or refine a spec, by operation and outcome',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    signInFailures: new Counter({
      name: 'genos_signin_failures_total',
      help: 'Password sign-ins refused, by reason (invalid, totp-invalid, locked, rate-limited, disabled)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    signInLockouts: new Counter({
      name: 'genos_signin_lockouts_total',
      help: 'Accounts (or unknown emails) locked after too many failed sign-ins',
      registers: [registry],
    }),
    environmentCreates: new Counter({
      name: 'genos_environment_creates_total',
      help: 'Environments created, by where the desktop came from (warm_pool: a ready pool member was handed over)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    displaySessions: new Gauge({
      name: 'genos_display_sessions',
      help: 'Display connections open through the tunnel now',
      registers: [registry],
    }),
    displayBytes: new Counter({
      name: 'genos_display_bytes_total',
      help: 'Bytes carried by display connections, by direction (to_browser, from_browser)',
      labelNames: ['direction'] as const,
      registers: [registry],
    }),
    firstFrame: new Histogram({
      name: 'genos_display_first_frame_seconds',
      help: 'From a display connection opening (its websocket admitted) to the first drawing instruction sent to the browser',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30],
      registers: [registry],
    }),
    tlsCertificateExpiry: new Gauge({
      name: 'genos_tls_certificate_expiry_timestamp_seconds',
      help: 'When the certificate in GENOS_TLS_CERT_FILE expires (Unix time)',
      labelNames: ['subject'] as const,
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'genos_dependency_up',
      help: 'Whether a dependency answered the last readiness check (1) or not (0)',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
    dependencyLatency: new Gauge({
      name: 'genos_dependency_check_duration_seconds',
      help: 'How long the last readiness check of a dependency took',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
  };
}

export type WebMetrics = ReturnType<typeof createWebMetrics>;
const g = globalThis as unknown as { __genosWebMetrics?: WebMetrics };

export const webMetrics = (): WebMetrics => (g.__genosWebMetrics ??= createWebMetrics());

/** Times `fn` into the composer histogram, labelled by whether it threw. */
export async function timeComposer<T>(operation: 'compose' | 'refine', fn: () => T | Promise<T>): Promise<T> {
  const end = webMetrics().composerDuration.startTimer({ operation });
  try {
    const result = await fn();
    end({ outcome: 'ok' });
    return result;
  } catch (e) {
    end({ outcome: 'error' });
    throw e;
  }
}

/** Counts a created environment by where it came from (a ready warm-pool member has claimedAt), and passes it on. */
export function countEnvironmentCreate<T extends { claimedAt: Date | null }>(env: T): T {
  webMetrics().environmentCreates.inc({ source: env.claimedAt ? 'warm_pool' : 'new' });
  return env;
}
