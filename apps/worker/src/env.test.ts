import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db' };

describe('worker configuration', () => {
  it('refuses nonsense host capacity and names with the variable and the reason', () => {
    expect(() => loadEnv({ ...base, GENOS_HOST_CPUS: '-1' })).toThrow(/GENOS_HOST_CPUS: the host needs more than zero CPUs/);
    expect(() => loadEnv({ ...base, GENOS_HOST_MEMORY_MIB: '0' })).toThrow(/GENOS_HOST_MEMORY_MIB: a host needs at least 512 MiB/);
    expect(() => loadEnv({ ...base, GENOS_HOST_NAME: 'Not A Host!' })).toThrow(/GENOS_HOST_NAME: host names are lowercase/);
  });

  it('accepts a sane host and defaults the reconcile period', () => {
    const env = loadEnv({ ...base, GENOS_HOST_NAME: 'host-a', GENOS_HOST_CPUS: '2', GENOS_HOST_MEMORY_MIB: '4096' });
    expect(env).toMatchObject({ GENOS_HOST_NAME: 'host-a', GENOS_HOST_CPUS: 2, GENOS_HOST_MEMORY_MIB: 4096, GENOS_RECONCILE_MS: 30_000 });
    expect(env.GENOS_HOST_TIMEOUT_MS).toBeUndefined();
  });

  it("puts the ops server on loopback beside the web app's port unless told otherwise", () => {
    expect(loadEnv(base)).toMatchObject({ GENOS_WORKER_OPS_HOST: '127.0.0.1', GENOS_WORKER_OPS_PORT: 3001 });
    expect(loadEnv({ ...base, PORT: '3200' }).GENOS_WORKER_OPS_PORT).toBe(3201);
    expect(loadEnv({ ...base, PORT: '3200', GENOS_WORKER_OPS_PORT: '9464' }).GENOS_WORKER_OPS_PORT).toBe(9464);
    expect(() => loadEnv({ ...base, GENOS_WORKER_OPS_PORT: '70000' })).toThrow(/GENOS_WORKER_OPS_PORT/);
  });
});
