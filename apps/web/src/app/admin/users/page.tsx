import { auth } from '@/server/auth/auth';
import { UsersAdmin } from './users-admin';

export default async function UsersPage() {
  const session = await auth();
  return (
    <>
      <h1>Users and teams</h1>
      <UsersAdmin selfId={session?.user.id ?? ''} />
    </>
  );
}
