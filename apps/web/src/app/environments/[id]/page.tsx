import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { EnvironmentView } from '../environment-view';

export default async function EnvironmentPage({ params }: { params: Promise<{ id: string }> }) {
  if (!(await auth())) redirect('/signin');
  const { id } = await params;
  // fill: its own page, so the desktop takes the window below the header.
  return <EnvironmentView id={id} fill />;
}
