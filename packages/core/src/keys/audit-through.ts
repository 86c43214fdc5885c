import type { Store } from '../ports/store';
import type { RecordAudit } from './key-ports';

/** Key audits go through the Store's one audit writer, each in its own short transaction. */
export const auditThrough =
  (store: Pick<Store, 'transaction'>): RecordAudit =>
  (a) =>
    store.transaction((tx) => tx.audit.record(a));
