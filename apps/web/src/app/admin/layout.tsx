import type { ReactNode } from 'react';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const LINKS = [
  ['/admin/quotas', 'Quotas'],
  ['/admin/catalog', 'Applications'],
  ['/admin/images', 'Images'],
  ['/admin/users', 'Users & teams'],
  ['/admin/hosts', 'Hosts'],
  ['/admin/backups', 'Backups'],
  ['/admin/sessions', 'Active sessions'],
  ['/admin/audit', 'Audit log'],
  ['/admin/recordings', 'Recordings'],
] as const;

/** Every /admin page: signed-in administrators only (checked against the database, not just the session); others get a 403 page. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect('/signin');
  const user = await services().prisma.user.findUnique({ where: { id: session.user.id }, select: { role: true, disabledAt: true } });
  if (!user || user.role !== 'admin' || user.disabledAt) {
    return (
      <div className="card error" role="alert" data-testid="admin-forbidden">
        <h1>403 — Forbidden</h1>
        <p>The administration pages are for administrators only.</p>
      </div>
    );
  }
  return (
    <>
      <nav className="admin-nav" aria-label="Administration" style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap', marginBottom: '1rem' }}>
        {LINKS.map(([href, label]) => (
          <Link key={href} href={href}>{label}</Link>
        ))}
      </nav>
      {children}
    </>
  );
}
