/**
 * Composer latency, deterministic path, per request: every request of the
 * public evaluation sets, after one warm-up pass (index and vocabulary load
 * once per process), REPEAT times each.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeEnvironment, FULL_CAPABILITIES, isAppError } from '@genos/core';

const REPEAT = 20;

export function benchComposer(): Record<string, { value: number; unit: string }> {
  // The first public set, and the second one's requests in eight languages (issue 15).
  const files = ['composer-cases.jsonl', 'composer-cases-2.jsonl'].map((f) => path.resolve(import.meta.dirname, '../packages/core/eval', f));
  const requests = files
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    // Lines starting with // are comments, as the eval runner reads them.
    .filter((l) => l.trim() && !l.trim().startsWith('//'))
    .map((l) => (JSON.parse(l) as { request: unknown }).request)
    .filter((r): r is string => typeof r === 'string');
  const run = (request: string) => {
    try {
      composeEnvironment({ request, capabilities: FULL_CAPABILITIES });
    } catch (e) {
      if (!isAppError(e)) throw e;
    }
  };
  const t0 = performance.now();
  run(requests[0]!);
  const coldMs = performance.now() - t0;
  requests.forEach(run);
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    for (const r of requests) {
      const t = performance.now();
      run(r);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    composer_p50_ms: { value: round(pct(50)), unit: 'ms' },
    composer_p99_ms: { value: round(pct(99)), unit: 'ms' },
    composer_max_ms: { value: round(times.at(-1)!), unit: 'ms' },
    composer_first_call_ms: { value: round(coldMs), unit: 'ms (loads catalog index and vocabulary)' },
    composer_requests_timed: { value: times.length, unit: 'calls' },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(benchComposer())) console.log(`${k.padEnd(34)} ${String(v.value).padStart(8)}  ${v.unit}`);
}
