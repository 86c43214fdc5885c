import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Enqueue } from '@genos/db';
import { withCurrentRequestId } from './job-request-id';
import { configureWebLogger, requestIdFrom, webLogger, withRequestId } from './logger';

const captured = () => {
  const out: Record<string, unknown>[] = [];
  configureWebLogger({ destination: new Writable({ write: (c: Buffer, _e, done) => (out.push(JSON.parse(c.toString()) as Record<string, unknown>), done()) }) });
  return out;
};

describe('web log', () => {
  it('redacts secret fields wherever a logged object carries them', () => {
    const out = captured();
    webLogger().info(
      { password: 'p4ss', token: 'genos_abc', req: { headers: { authorization: 'Bearer genos_abc', cookie: 'authjs=1' } }, env: { displayEndpoint: { host: 'h', password: 'vncpw' } }, config: { AUTH_SECRET: 'x'.repeat(40) } },
      'something',
    );
    const line = JSON.stringify(out[0]);
    for (const secret of ['p4ss', 'genos_abc', 'authjs=1', 'vncpw', 'x'.repeat(40)]) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
    expect(out[0]).toMatchObject({ env: { displayEndpoint: { host: 'h' } } });
  });

  it('puts the request id on every line logged during a call, and on the jobs it enqueues', async () => {
    const out = captured();
    const sent: object[] = [];
    const enqueue = withCurrentRequestId((async (_n, data) => (sent.push(data), 'job-1')) as Enqueue);
    await withRequestId('req-abcdef12', async () => {
      await new Promise((r) => setTimeout(r, 1));
      webLogger().info('inside');
      await enqueue('environment.provision', { environmentId: 'e1' }, {} as never);
    });
    webLogger().info('outside');
    await enqueue('pool.refill', { poolId: 'p' }, {} as never);
    expect(out.map((l) => [l.msg, l.requestId])).toEqual([['inside', 'req-abcdef12'], ['outside', undefined]]);
    expect(sent).toEqual([{ environmentId: 'e1', requestId: 'req-abcdef12' }, { poolId: 'p' }]);
  });

  it('takes a sane X-Request-Id from a proxy and makes one otherwise', () => {
    expect(requestIdFrom('abc-1234_5678')).toBe('abc-1234_5678');
    for (const bad of [null, '', 'short', 'has space in it', 'x'.repeat(65), '"quoted"-1234']) expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
