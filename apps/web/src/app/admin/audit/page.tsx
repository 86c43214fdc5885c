import { AuditAdmin } from './audit-admin';

export default function AuditPage() {
  return (
    <>
      <h1>Audit log</h1>
      <AuditAdmin />
    </>
  );
}
