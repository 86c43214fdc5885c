import { HostsAdmin } from './hosts-admin';

export default function HostsPage() {
  return (
    <>
      <h1>Hosts</h1>
      <HostsAdmin />
    </>
  );
}
