import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SPEC, type Store } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { handleRecordingActions } from './routes';

// A program's actions lined up with a session recording, on a real PostgreSQL: the JSON-lines
// export holds exactly the actions taken while the recording ran, each with its offset into it.
let db: TestDatabase;
let store: Store;
let admin: { id: string; role: string };
let user: { id: string; role: string };
let recordingId = '';
const t0 = new Date('2026-12-07T10:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

beforeAll(async () => {
  db = await createTestDatabase();
  store = createPrismaStore({ prisma: db.prisma, enqueue: async () => 'no-queue' });
  admin = { id: (await db.prisma.user.create({ data: { email: 'admin@rec.test', role: 'admin' } })).id, role: 'admin' };
  user = { id: (await db.prisma.user.create({ data: { email: 'user@rec.test' } })).id, role: 'user' };
  const env = await store.transaction((tx) => tx.environments.insert({ name: 'rec', request: null, spec: DEFAULT_SPEC, ownerId: user.id, teamId: null }));
  recordingId = (await db.prisma.recording.create({ data: { environmentId: env.id, userId: user.id, path: '/nonexistent', startedAt: at(0), endedAt: at(60) } })).id;
  const act = (s: number, action: string, params: Record<string, unknown>) =>
    store.controls.appendAction({ environmentId: env.id, at: at(s), actorKind: 'program', actorName: 'token robot', tokenId: null, action, params, screenshotRef: null });
  await act(-5, 'keyboard', { text: 'before the recording' });
  await act(3, 'mouse', { action: 'click', x: 10, y: 20, button: 'left' });
  await act(12.5, 'keyboard', { text: 'ls -l' });
  await act(90, 'keyboard', { text: 'after it ended' });
});

afterAll(async () => {
  await db?.drop();
});

it('exports the actions taken during the recording as JSON lines, with their offsets into it', async () => {
  const res = await handleRecordingActions(recordingId, { prisma: db.prisma, store, user: admin });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson');
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toEqual([
    expect.objectContaining({ action: 'mouse', offsetMs: 3000, actor: 'token robot', params: { action: 'click', x: 10, y: 20, button: 'left' }, at: at(3).toISOString() }),
    expect.objectContaining({ action: 'keyboard', offsetMs: 12500, params: { text: 'ls -l' } }),
  ]);
});

it('is for administrators only, and an unknown recording is 404', async () => {
  expect((await handleRecordingActions(recordingId, { prisma: db.prisma, store, user })).status).toBe(403);
  expect((await handleRecordingActions(recordingId, { prisma: db.prisma, store, user: null })).status).toBe(401);
  expect((await handleRecordingActions('nosuchrecording1', { prisma: db.prisma, store, user: admin })).status).toBe(404);
});
