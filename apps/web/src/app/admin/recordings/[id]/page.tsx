import Link from 'next/link';
import { redirect } from 'next/navigation';
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
  return (
    <div className="card">
      <p>
        <Link href="/admin/recordings">All recordings</Link>
      </p>
      <h2 style={{ marginTop: 0 }}>Recording of {rec.environmentId}</h2>
      <p className="muted">Started {rec.startedAt.toISOString()}{rec.endedAt ? `, ended ${rec.endedAt.toISOString()}` : ' (still recording)'}</p>
      <RecordingPlayer src={`/api/recordings/${rec.id}`} />
    </div>
  );
}
