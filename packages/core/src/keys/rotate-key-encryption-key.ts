import { AppError } from '../errors/app-error';
import type { Actor } from '../ports/store';
import type { DataKeyRepository, KeyEncryptionKeys, KeyHolder, RecordAudit } from './key-ports';

export interface RotationResult {
  newKekId: string;
  /** Data keys and other holders' keys moved to the new KEK. */
  rewrapped: number;
  /** KEKs destroyed because nothing used them any more. */
  retired: string[];
  /** KEKs kept because something still used them (a holder that could not be reached). */
  kept: { kekId: string; reason: string }[];
}

const BATCH = 200;

/** Re-wraps every data key wrapped by `fromKekId` under the active KEK (the data itself is not touched). */
async function rewrapDataKeys(opts: { keks: KeyEncryptionKeys; dataKeys: DataKeyRepository; fromKekId: string }): Promise<number> {
  let moved = 0;
  for (;;) {
    const batch = await opts.dataKeys.listByKek(opts.fromKekId, BATCH);
    if (batch.length === 0) return moved;
    let progressed = false;
    for (const row of batch) {
      const context = `${row.purpose}:${row.objectId}`;
      const key = await opts.keks.unwrap(row.kekId, row.wrapped, context);
      const { kekId, wrapped } = await opts.keks.wrap(key, context);
      key.fill(0);
      // A row re-wrapped meanwhile (another rotation) is simply skipped.
      if (await opts.dataKeys.rewrap(row.id, row.kekId, kekId, wrapped)) {
        moved++;
        progressed = true;
      }
    }
    if (!progressed) throw new AppError('CONFLICT', 'data keys changed under the rotation; run it again');
  }
}

/**
 * `genos keys rotate`: makes a new KEK, re-wraps every data key and every
 * holder's key under it, then retires each old KEK that nothing uses any
 * more. A KEK still in use (a holder unreachable) is kept, said so, and
 * retired by the next rotation. Every step is audited.
 */
export async function rotateKeyEncryptionKey(opts: {
  keks: KeyEncryptionKeys;
  dataKeys: DataKeyRepository;
  holders?: KeyHolder[];
  audit: RecordAudit;
  actor: Actor;
}): Promise<RotationResult> {
  const { keks, dataKeys, audit, actor } = opts;
  const holders = opts.holders ?? [];
  const before = await keks.list();
  const created = await keks.create();
  await audit({ actor, action: 'key.kek.create', targetType: 'kek', targetId: created.id, after: { kind: keks.kind, replaces: before.filter((k) => k.active).map((k) => k.id) } });

  let rewrapped = 0;
  const retired: string[] = [];
  const kept: RotationResult['kept'] = [];
  for (const old of before) {
    const moved = await rewrapDataKeys({ keks, dataKeys, fromKekId: old.id });
    rewrapped += moved;
    const holderFailures: string[] = [];
    const movedByHolder: Record<string, number> = {};
    for (const holder of holders) {
      try {
        movedByHolder[holder.name] = await holder.rewrap(old.id);
        rewrapped += movedByHolder[holder.name]!;
      } catch (e) {
        holderFailures.push(`${holder.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await audit({ actor, action: 'key.rewrap', targetType: 'kek', targetId: old.id, after: { to: created.id, dataKeys: moved, holders: movedByHolder } });
    let stillUsed = await dataKeys.countByKek(old.id);
    for (const holder of holders) stillUsed += await holder.countUsing(old.id).catch(() => 1);
    if (stillUsed > 0 || holderFailures.length > 0) {
      const reason = holderFailures.length ? holderFailures.join('; ') : `${stillUsed} key(s) still use it`;
      kept.push({ kekId: old.id, reason });
      await audit({ actor, action: 'key.kek.kept', targetType: 'kek', targetId: old.id, after: { reason } });
      continue;
    }
    await keks.retire(old.id);
    retired.push(old.id);
    await audit({ actor, action: 'key.kek.retire', targetType: 'kek', targetId: old.id, after: { replacedBy: created.id } });
  }
  return { newKekId: created.id, rewrapped, retired, kept };
}
