import { describe, expect, it } from 'vitest';
import { answerOpsRequest, isLoopbackAddress, type MetricsAccess, type OpsRequest } from './answer-ops-request';
import type { Readiness } from './check-readiness';

const down: Readiness = { ready: false, failing: ['guacd'], checks: { database: { status: 'up', latencyMs: 2 }, guacd: { status: 'down', latencyMs: 2000, error: 'connect ECONNREFUSED 10.0.0.7:4822' } } };
const up: Readiness = { ready: true, failing: [], checks: { database: { status: 'up', latencyMs: 2 } } };

const ask = (request: Partial<OpsRequest>, o: { readiness?: Readiness; token?: (t: string) => Promise<MetricsAccess> } = {}) =>
  answerOpsRequest({
    request: { method: 'GET', path: '/metrics', remoteAddress: '127.0.0.1', ...request },
    service: 'web',
    readiness: async () => o.readiness ?? up,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'genos_up 1\n' }),
    authorizeToken: o.token,
  });

describe('answerOpsRequest', () => {
  it('leaves every other path to the app', async () => {
    expect(await ask({ path: '/api/trpc/x' })).toBeNull();
    expect(await ask({ path: '/metricsx' })).toBeNull();
  });

  it('answers /healthz to anyone', async () => {
    const a = await ask({ path: '/healthz', remoteAddress: '203.0.113.9' });
    expect(a).toMatchObject({ status: 200 });
    expect(JSON.parse(a!.body)).toMatchObject({ status: 'ok', service: 'web' });
  });

  it('answers /readyz 503 naming the failing part; the reason only to loopback callers', async () => {
    const local = await ask({ path: '/readyz' }, { readiness: down });
    expect(local!.status).toBe(503);
    expect(JSON.parse(local!.body)).toMatchObject({ status: 'unready', failing: ['guacd'], checks: { guacd: { status: 'down', error: /ECONNREFUSED/ } } });
    const remote = await ask({ path: '/readyz', remoteAddress: '203.0.113.9' }, { readiness: down });
    expect(remote!.status).toBe(503);
    expect(remote!.body).not.toContain('10.0.0.7');
    expect(JSON.parse(remote!.body).failing).toEqual(['guacd']);
    expect((await ask({ path: '/readyz' }))!.status).toBe(200);
  });

  it('serves metrics to loopback callers (IPv4, IPv6, mapped) and refuses others without a token', async () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await ask({ remoteAddress: a }))!.status).toBe(200);
    const refused = await ask({ remoteAddress: '192.168.1.20' });
    expect(refused!.status).toBe(401);
    expect(refused!.body).not.toContain('genos_up');
    expect((await ask({ remoteAddress: null }))!.status).toBe(401);
  });

  it('lets a token decide for callers elsewhere: metrics:read passes, others are forbidden or unauthorized', async () => {
    const token = async (t: string): Promise<MetricsAccess> => (t === 'genos_good' ? 'ok' : t === 'genos_noscope' ? 'forbidden' : 'unauthorized');
    expect((await ask({ remoteAddress: '192.168.1.20', authorization: 'Bearer genos_good' }, { token }))!.body).toBe('genos_up 1\n');
    expect((await ask({ remoteAddress: '192.168.1.20', authorization: 'Bearer genos_noscope' }, { token }))!.status).toBe(403);
    expect((await ask({ remoteAddress: '192.168.1.20', authorization: 'Bearer genos_bad' }, { token }))!.status).toBe(401);
    // A process that cannot check tokens refuses them rather than trusting them.
    expect((await ask({ remoteAddress: '192.168.1.20', authorization: 'Bearer genos_good' }))!.status).toBe(403);
  });

  it('refuses writes', async () => {
    expect((await ask({ method: 'POST' }))!.status).toBe(405);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '', 'localhost'].some(isLoopbackAddress)).toBe(false);
  });
});
