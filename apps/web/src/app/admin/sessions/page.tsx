import { SessionsAdmin } from './sessions-admin';

export default function SessionsPage() {
  return (
    <>
      <h1>Active sessions</h1>
      <SessionsAdmin />
    </>
  );
}
