import type { Actor } from '../ports/store';
import type { KeyEncryptionKeys, RecordAudit } from './key-ports';

/**
 * The KEKs as seen by a tool that uses them directly (the backup repository
 * derives its password from one): each derive is audited as `key.kek.use`.
 * An audit that cannot be written (a restore into a database that has no
 * tables yet) does not stop the tool; the restore's own audit row follows.
 */
export function auditedKeks(opts: { keks: KeyEncryptionKeys; audit: RecordAudit; actor: Actor }): KeyEncryptionKeys {
  const { keks, audit, actor } = opts;
  return {
    kind: keks.kind,
    list: () => keks.list(),
    wrap: (dataKey, context) => keks.wrap(dataKey, context),
    unwrap: (kekId, wrapped, context) => keks.unwrap(kekId, wrapped, context),
    async derive(kekId, context) {
      const secret = await keks.derive(kekId, context);
      await audit({ actor, action: 'key.kek.use', targetType: 'kek', targetId: kekId, after: { op: 'derive', context } }).catch(() => {});
      return secret;
    },
    create: () => keks.create(),
    retire: (kekId) => keks.retire(kekId),
  };
}
