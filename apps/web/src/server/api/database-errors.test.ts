import { describe, expect, it } from 'vitest';
import { isDatabaseUnreachable } from './database-errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it('recognises Prisma, driver-adapter, node-postgres and PostgreSQL connection failures', () => {
    for (const code of ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', '57P01', '08006']) {
      expect(isDatabaseUnreachable(withCode(code)), code).toBe(true);
    }
    expect(isDatabaseUnreachable(Object.assign(new Error('raw query failed'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe(true);
  });

  it('leaves everything else alone', () => {
    for (const e of [new Error('boom'), withCode('P2002'), withCode('23505'), null, undefined, 'ECONNREFUSED', new Error('connection terminated unexpectedly')]) {
      expect(isDatabaseUnreachable(e)).toBe(false);
    }
  });
});
