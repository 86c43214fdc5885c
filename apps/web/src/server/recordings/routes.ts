import { promises as fs, constants } from 'node:fs';
import { Readable } from 'node:stream';
import { listRecordingActions, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { RECORDING_ID_RE } from './recordings';

const text = (status: number, message: string) => new Response(message, { status, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } });

/** Recordings are for administrators: the refusal to answer with, or null for an admin. */
const refusal = (user: { role: string } | null): Response | null =>
  !user ? text(401, 'Sign in first.') : user.role !== 'admin' ? text(403, 'Recordings are for administrators.') : null;

/**
 * GET /api/recordings/<id>: the raw Guacamole protocol dump guacd wrote, for
 * guacamole-common-js's SessionRecording (through a StaticHTTPTunnel).
 * Administrators only; deleted (past retention) recordings are gone.
 */
export async function handleRecordingStream(id: string, deps: { prisma: PrismaClient; user: { id: string; role: string } | null }): Promise<Response> {
  const refused = refusal(deps.user);
  if (refused) return refused;
  if (!RECORDING_ID_RE.test(id)) return text(404, 'No such recording.');
  const rec = await deps.prisma.recording.findUnique({ where: { id } });
  if (!rec) return text(404, 'No such recording.');
  if (rec.deletedAt) return text(410, 'This recording was deleted by the retention policy.');
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(rec.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return text(404, 'The recording file is missing (guacd may not have written it).');
  }
  const st = await handle.stat();
  return new Response(Readable.toWeb(handle.createReadStream()) as ReadableStream, {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(st.size), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
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
