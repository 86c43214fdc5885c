import { BackupsAdmin } from './backups-admin';

export default function BackupsPage() {
  return (
    <>
      <h1>Backups</h1>
      <BackupsAdmin />
    </>
  );
}
