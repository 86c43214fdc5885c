import { promises as fs, constants } from 'node:fs';
import { Readable } from 'node:stream';
import { isAppError, listRecordingActions, RECORDING_PURPOSE, recordingContext, type KeyService, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { openSealedFile } from '@genos/db/keys';
import { RECORDING_ID_RE, SEALED_SUFFIX } from './recordings';

const text = (status: number, message: string) => new Response(message, { status, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } });

/** Recordings are for administrators: the refusal to answer with, or null for an admin. */
const refusal = (user: { role: string } | null): Response | null =>
  !user ? text(401, 'Sign in first.') : user.role !== 'admin' ? text(403, 'Recordings are for administrators.') : null;

/**
 * GET /api/recordings/<id>: the Guacamole protocol dump guacd wrote, for
 * guacamole-common-js's SessionRecording (through a StaticHTTPTunnel),
 * decrypted on the fly when it is sealed (every opening audited as a use of
 * its key). Administrators only; deleted (past retention) recordings are gone.
 */
export async function handleRecordingStream(id: string, deps: { prisma: PrismaClient; keys: KeyService; user: { id: string; role: string } | null }): Promise<Response> {
  const refused = refusal(deps.user);
  if (refused) return refused;
  if (!RECORDING_ID_RE.test(id)) return text(404, 'No such recording.');
  // Twice at most: a recording sealed between reading its row and opening its plain file has moved.
  for (let attempt = 0; attempt < 2; attempt++) {
    const rec = await deps.prisma.recording.findUnique({ where: { id } });
    if (!rec) return text(404, 'No such recording.');
    if (rec.deletedAt) return text(410, 'This recording was deleted by the retention policy.');
    const opened = rec.path.endsWith(SEALED_SUFFIX) ? await openSealed(rec, deps) : await openPlain(rec.path);
    if (opened === 'missing' && attempt === 0) continue;
    if (opened === 'missing') return text(404, 'The recording file is missing (guacd may not have written it).');
    if (opened instanceof Response) return opened;
    return new Response(Readable.toWeb(opened.stream) as ReadableStream, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(opened.bytes), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    });
  }
  return text(404, 'No such recording.');
}

type Opened = { bytes: number; stream: Readable } | Response | 'missing';

async function openPlain(file: string): Promise<Opened> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return 'missing';
  }
  return { bytes: (await handle.stat()).size, stream: handle.createReadStream() };
}

async function openSealed(rec: { id: string; path: string }, deps: { keys: KeyService; user: { id: string } | null }): Promise<Opened> {
  const key = await deps.keys.dataKey({ purpose: RECORDING_PURPOSE, objectId: rec.id }, { kind: 'user', id: deps.user?.id ?? null, isAdmin: true });
  try {
    return await openSealedFile({ key, file: rec.path, context: recordingContext(rec.id) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    if (isAppError(e)) return text(409, `The recording cannot be played: ${e.message}.`);
    throw e;
  } finally {
    key.fill(0);
  }
}

/**
 * GET /api/recordings/<id>/actions: the program actions taken during that
 * recording, one JSON object per line (time, offset into the recording,
 * who, action, parameters as logged, screenshot reference). Administrators only.
 */
export async function handleRecordingActions(id: string, deps: { prisma: PrismaClient; store: Store; user: { id: string; role: string } | null }): Promise<Response> {
  const refused = refusal(deps.user);
  if (refused) return refused;
  const rec = RECORDING_ID_RE.test(id) ? await deps.prisma.recording.findUnique({ where: { id } }) : null;
  if (!rec) return text(404, 'No such recording.');
  const marks = await listRecordingActions({ store: deps.store, actor: { kind: 'user', id: deps.user?.id ?? null, isAdmin: true }, recording: rec });
  return new Response(marks.map((m) => JSON.stringify(m)).join('\n') + (marks.length ? '\n' : ''), {
    headers: { 'Content-Type': 'application/x-ndjson', 'Content-Disposition': `attachment; filename="recording-${rec.id}-actions.jsonl"`, 'Cache-Control': 'no-store' },
  });
}
