import Link from 'next/link';
import { redirect } from 'next/navigation';
import { listRecordingActions } from '@genos/core';
import { RecordingPlayer } from '@genos/ui';
import { auth } from '@/server/auth/auth';
import { RECORDING_ID_RE } from '@/server/recordings/recordings';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Plays one recording in the browser (the file streams from /api/recordings/<id>, admins only). */
export default async function RecordingPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await auth();
  if (!session) redirect('/signin');
  if (session.user.role !== 'admin') return <div className="card error" role="alert">Recordings are for administrators.</div>;
  const { id } = await params;
  const rec = RECORDING_ID_RE.test(id) ? await services().prisma.recording.findUnique({ where: { id } }) : null;
  if (!rec) return <div className="card error" role="alert">No such recording.</div>;
  if (rec.deletedAt) return <div className="card error" role="alert">This recording was deleted by the retention policy.</div>;
  // What programs did meanwhile (issue 18's control API), on the player's timeline.
  const actions = await listRecordingActions({ store: services().store, actor: { kind: 'user', id: session.user.id, isAdmin: true }, recording: rec });
  const marks = actions.map((a) => ({ atMs: a.offsetMs, label: `${a.actor}: ${a.action} ${describeParams(a.params)}`.trim() }));
  return (
    <div className="card">
      <p>
        <Link href="/admin/recordings">All recordings</Link>
      </p>
      <h2 style={{ marginTop: 0 }}>Recording of {rec.environmentId}</h2>
      <p className="muted">Started {rec.startedAt.toISOString()}{rec.endedAt ? `, ended ${rec.endedAt.toISOString()}` : ' (still recording)'}</p>
      <RecordingPlayer src={`/api/recordings/${rec.id}`} marks={marks} />
      <p className="muted">
        {marks.length ? `${marks.length} program action${marks.length === 1 ? '' : 's'} during this recording. ` : 'No program acted on this desktop during the recording. '}
        <a href={`/api/recordings/${rec.id}/actions`}>Export the action log (JSON lines)</a>
      </p>
    </div>
  );
}

/** One line per action: its parameters as logged (text already cut to 200 characters there). */
function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join(' ')
    .slice(0, 160);
}
