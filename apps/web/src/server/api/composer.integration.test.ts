import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES, FULL_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// The composer procedures through createCaller: validation, typed errors, and a refinement round trip.
let db: TestDatabase;
let user: { id: string; email: string };

const callerFor = (u: { id: string; email: string } | null, capabilities = DEPLOYMENT_CAPABILITIES) =>
  createCaller(
    createInnerContext({
      user: u ? { ...u, name: null, role: 'user' } : null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: createPrismaStore({ prisma: db.prisma, enqueue: async () => 'unused' }),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities, timeoutMs: 1000 },
    }),
  );

beforeAll(async () => {
  db = await createTestDatabase();
  user = await db.prisma.user.create({ data: { email: 'composer@genos.test' } });
});
afterAll(async () => {
  await db?.drop();
});

describe('composer router', () => {
  it('composes, then refines the spec step by step, reporting each change', async () => {
    const api = callerFor(user);
    const first = await api.composer.compose({ request: 'a desktop with firefox' });
    expect(first.status).toBe('ok');
    const added = await api.composer.refine({ spec: first.spec, instruction: 'add vlc' });
    expect(added.spec?.apps).toEqual(['firefox-esr', 'vlc']);
    const offline = await api.composer.refine({ spec: added.spec, instruction: 'actually no internet' });
    expect(offline.changes).toEqual([{ field: 'network.mode', from: 'egress', to: 'none' }]);
  });

  it('answers with what this deployment has enabled', async () => {
    const vm = await callerFor(user).composer.compose({ request: 'a debian vm with vlc' });
    expect(vm.status).toBe('unsatisfiable');
    expect(vm.problems[0]).toMatchObject({ field: 'runtime', kind: 'unsupported' });
    expect((await callerFor(user, FULL_CAPABILITIES).composer.compose({ request: 'a debian vm with vlc' })).status).toBe('ok');
  });

  it('refuses bad input with typed errors', async () => {
    const api = callerFor(user);
    await expect(api.composer.compose({ request: 'x'.repeat(5000) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(api.composer.compose({ request: '   ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.composer.refine({ spec: { apps: ['vlc'], privileged: true }, instruction: 'add gimp' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('spec to refine is invalid'),
    });
    // @ts-expect-error: a number is not a request
    await expect(api.composer.compose({ request: 42 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(callerFor(null).composer.refine({ spec: {}, instruction: 'add vlc' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
