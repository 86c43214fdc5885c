import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { EnvironmentList } from './environment-list';

export default async function EnvironmentsPage() {
  if (!(await auth())) redirect('/signin');
  return (
    <>
      <h1>My environments</h1>
      <EnvironmentList />
    </>
  );
}
