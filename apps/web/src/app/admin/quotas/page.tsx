import { QuotasAdmin } from './quotas-admin';

export default function QuotasPage() {
  return (
    <>
      <h1>Quotas</h1>
      <QuotasAdmin />
    </>
  );
}
