import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '@genos/core';
import { createTestDatabase, freshTestState, type TestDatabase } from '@genos/db/testing';
import { handleDownload, handleList, handleUpload } from './routes';
import { stagingDirFor, transferDirFor } from './transfer';

// Upload and download through the route handlers' logic, against the real database and a real folder.
let db: TestDatabase;
// A state dir of this run's own, removed at the end.
const state = await freshTestState('transfer');
const { stateDir } = state;
let owner: { id: string };
let stranger: { id: string };
let envId = '';
let lockedEnvId = '';
let lockedTeamId = '';

const deps = (user: { id: string } | null, maxBytes?: number) => ({ prisma: db.prisma, user, stateDir, maxBytes });
const post = (id: string, name: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(`http://localhost/api/environments/${id}/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
const contents = async (id: string) => (await fs.readdir(transferDirFor(stateDir, id))).sort();
const staging = async () => (await fs.readdir(stagingDirFor(stateDir, envId)).catch(() => [])).length;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await db.prisma.user.create({ data: { email: 'files-owner@genos.test' } });
  stranger = await db.prisma.user.create({ data: { email: 'files-stranger@genos.test' } });
  lockedTeamId = (await db.prisma.team.create({ data: { name: 'Locked', slug: `locked-${process.pid}`, allowUpload: false, allowDownload: false } })).id;
  const mk = (teamId: string | null) =>
    db.prisma.environment.create({ data: { name: 'f', spec: DEFAULT_SPEC as never, ownerId: owner.id, teamId, state: 'running', displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } } });
  envId = (await mk(null)).id;
  lockedEnvId = (await mk(lockedTeamId)).id;
  // Plain folders laid out as the worker's encrypted ones are (encrypted-transfer.integration.test.ts tests those).
  for (const id of [envId, lockedEnvId]) for (const dir of [transferDirFor(stateDir, id), stagingDirFor(stateDir, id)]) await fs.mkdir(dir, { recursive: true });
});

afterAll(async () => {
  try {
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('file transfer', () => {
  it('uploads into the desktop\'s Transfer folder, owned by the desktop user, and never overwrites', async () => {
    const res = await handleUpload(post(envId, 'notes.txt', 'hello desktop'), envId, deps(owner));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'notes.txt', bytes: 13, path: '/home/genos/Transfer/notes.txt' });
    const file = path.join(transferDirFor(stateDir, envId), 'notes.txt');
    expect(await fs.readFile(file, 'utf8')).toBe('hello desktop');
    expect((await fs.stat(file)).uid).toBe(1000);
    const again = await handleUpload(post(envId, 'notes.txt', 'second'), envId, deps(owner));
    expect((await again.json()) as { name: string }).toMatchObject({ name: 'notes (1).txt' });
    expect(await fs.readFile(file, 'utf8')).toBe('hello desktop');
    expect(await staging()).toBe(0);
  });

  it('refuses an upload over the limit with 413 and a message, before reading it when the size is declared, writing nothing', async () => {
    const before = await contents(envId);
    let pulled = 0;
    const body = new ReadableStream({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1024));
      },
    });
    const declared = await handleUpload(post(envId, 'huge.iso', body, { 'content-length': String(200 * 1024 * 1024) }), envId, deps(owner));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/larger than the 100 MB upload limit/);
    expect(pulled).toBeLessThanOrEqual(1);

    // Undeclared (chunked): counted while streaming, stopped at the limit, the partial file removed.
    let sent = 0;
    const chunked = new ReadableStream({
      pull(c) {
        if (sent >= 64 * 1024) return c.close();
        sent += 4096;
        c.enqueue(new Uint8Array(4096));
      },
    });
    const streamed = await handleUpload(post(envId, 'big.bin', chunked), envId, deps(owner, 16 * 1024));
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: string }).error).toMatch(/upload limit/);
    expect(await contents(envId)).toEqual(before);
    expect(await staging()).toBe(0);
  });

  it('enforces the team policy, ownership and plain names server-side', async () => {
    const up = await handleUpload(post(lockedEnvId, 'a.txt', 'x'), lockedEnvId, deps(owner));
    expect(up.status).toBe(403);
    expect(((await up.json()) as { error: string }).error).toBe('Uploads are turned off for this team.');
    expect(await contents(lockedEnvId)).toEqual([]);
    await fs.writeFile(path.join(transferDirFor(stateDir, lockedEnvId), 'out.txt'), 'secret');
    expect((await handleList(lockedEnvId, deps(owner))).status).toBe(403);
    const down = await handleDownload(lockedEnvId, 'out.txt', deps(owner));
    expect(down.status).toBe(403);
    expect(((await down.json()) as { error: string }).error).toBe('Downloads are turned off for this team.');

    expect((await handleUpload(post(envId, 'a.txt', 'x'), envId, deps(stranger))).status).toBe(404);
    expect((await handleUpload(post(envId, 'a.txt', 'x'), envId, deps(null))).status).toBe(401);
    expect((await handleUpload(post(envId, '../../etc/x', 'x'), envId, deps(owner))).status).toBe(400);
    expect((await handleUpload(post(envId, '.bashrc', 'x'), envId, deps(owner))).status).toBe(400);
  });

  it('downloads regular files only: a link the desktop planted does not lead out of its folder', async () => {
    const dir = transferDirFor(stateDir, envId);
    await fs.symlink('/etc/passwd', path.join(dir, 'passwd'));
    const list = (await (await handleList(envId, deps(owner))).json()) as { files: { name: string }[] };
    expect(list.files.map((f) => f.name)).toContain('notes.txt');
    expect(list.files.map((f) => f.name)).not.toContain('passwd');
    expect((await handleDownload(envId, 'passwd', deps(owner))).status).toBe(404);
    // Uploading under the link's name neither follows nor replaces it.
    const passwd = await fs.readFile('/etc/passwd', 'utf8');
    const up = await handleUpload(post(envId, 'passwd', 'owned'), envId, deps(owner));
    expect(((await up.json()) as { name: string }).name).toBe('passwd (1)');
    expect(await fs.readFile('/etc/passwd', 'utf8')).toBe(passwd);

    const res = await handleDownload(envId, 'notes.txt', deps(owner));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''notes.txt");
    expect(await res.text()).toBe('hello desktop');
  });
});
