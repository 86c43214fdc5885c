import { describe, expect, it } from 'vitest';
import { checkReadiness } from './check-readiness';

describe('checkReadiness', () => {
  it('is ready when every part answers, naming each with its latency', async () => {
    const r = await checkReadiness({ checks: [{ name: 'database', check: async () => 1 }, { name: 'guacd', check: () => new Promise((ok) => setTimeout(ok, 20)) }] });
    expect(r.ready).toBe(true);
    expect(r.failing).toEqual([]);
    expect(r.checks.database).toMatchObject({ status: 'up' });
    expect(r.checks.guacd!.latencyMs).toBeGreaterThanOrEqual(15);
  });

  it('names the failing part and why', async () => {
    const r = await checkReadiness({
      checks: [
        { name: 'database', check: async () => 1 },
        { name: 'docker', check: async () => { throw new Error('connect ENOENT /var/run/docker.sock'); } },
        { name: 'guacd', check: () => { throw new Error('thrown before any promise'); } },
      ],
    });
    expect(r.ready).toBe(false);
    expect(r.failing).toEqual(['docker', 'guacd']);
    expect(r.checks.docker).toMatchObject({ status: 'down', error: 'connect ENOENT /var/run/docker.sock' });
    expect(r.checks.guacd).toMatchObject({ status: 'down', error: 'thrown before any promise' });
  });

  it('turns a part that never answers into "down" at the timeout, without waiting for it', async () => {
    const started = Date.now();
    const r = await checkReadiness({ timeoutMs: 100, checks: [{ name: 'queue', check: () => new Promise(() => undefined) }] });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.failing).toEqual(['queue']);
    expect(r.checks.queue!.error).toMatch(/within 100 ms/);
  });
});
