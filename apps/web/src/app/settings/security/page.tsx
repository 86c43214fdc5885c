import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { SecuritySettings } from './security-settings';

export const dynamic = 'force-dynamic';

export default async function SecurityPage() {
  const session = await auth();
  if (!session) redirect('/signin');
  return (
    <div style={{ maxWidth: 760, margin: '2rem auto', display: 'grid', gap: '1.5rem' }}>
      <h1>Security</h1>
      <SecuritySettings email={session.user.email ?? ''} />
    </div>
  );
}
