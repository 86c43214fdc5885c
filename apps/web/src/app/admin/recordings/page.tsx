import Link from 'next/link';
import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const size = (n: bigint) => {
  const b = Number(n);
  return b < 1024 * 1024 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 1024 / 1024).toFixed(1)} MB`;
};

/** Session recordings, newest first (administrators only). */
export default async function RecordingsPage() {
  const session = await auth();
  if (!session) redirect('/signin');
  if (session.user.role !== 'admin') return <div className="card error" role="alert">Recordings are for administrators.</div>;
  const { prisma } = services();
  const rows = await prisma.recording.findMany({ orderBy: { startedAt: 'desc' }, take: 200 });
  const envs = await prisma.environment.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.environmentId))] } }, select: { id: true, name: true } });
  const users = await prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.userId).filter((u): u is string => !!u))] } }, select: { id: true, email: true } });
  const envName = new Map(envs.map((e) => [e.id, e.name]));
  const email = new Map(users.map((u) => [u.id, u.email]));
  return (
    <>
      <h1>Session recordings</h1>
      <p className="muted">Recorded when a team has session recording on (or GENOS_RECORD_ALL). Files older than the team&apos;s retention are deleted.</p>
      {rows.length === 0 ? (
        <p className="muted">No recordings yet.</p>
      ) : (
        <table data-testid="recordings">
          <thead>
            <tr>
              <th>Desktop</th>
              <th>User</th>
              <th>Started</th>
              <th>Ended</th>
              <th>Size</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="recording-row" data-recording-id={r.id} data-env-id={r.environmentId}>
                <td>{envName.get(r.environmentId) ?? r.environmentId}</td>
                <td>{r.userId ? (email.get(r.userId) ?? r.userId) : 'share link (anonymous)'}</td>
                <td>{r.startedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>{r.endedAt ? r.endedAt.toISOString().replace('T', ' ').slice(0, 19) : 'in progress'}</td>
                <td>{r.deletedAt ? 'deleted' : size(r.bytes)}</td>
                <td>{r.deletedAt ? null : <Link href={`/admin/recordings/${r.id}`}>Play</Link>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
