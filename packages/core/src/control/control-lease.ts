import type { ControlLeaseRecord } from '../ports/control-store';

/**
 * The control lease's rules, as pure functions over the lease row:
 * - a program (API token with `environments:control`) gets the lease when
 *   nobody holds it, its holder's lease expired, or it holds it already;
 * - a person's take-over suspends the program; hand-back returns control to it;
 * - an owner can forbid programs altogether;
 * - a program's lease ends PROGRAM_LEASE_MS after its last call, so a crashed
 *   script does not lock the desktop for good.
 */
export const PROGRAM_LEASE_MS = 2 * 60_000;

/**
 * A program's lease is pushed back only when less than this is left: most
 * calls of a busy program then read the lease without writing it.
 */
export const LEASE_RENEW_SLACK_MS = 15_000;

/** Whether a program holds the lease at `now` (held and not expired). */
export const programHolds = (lease: ControlLeaseRecord | null, now: Date): boolean =>
  lease?.holderKind === 'program' && lease.tokenId !== null && lease.expiresAt !== null && lease.expiresAt.getTime() > now.getTime();

/** Who holds control at `now`, after expiry is taken into account. */
export function currentHolder(lease: ControlLeaseRecord | null, now: Date): { kind: 'program'; tokenId: string } | { kind: 'person'; userId: string } | null {
  if (!lease) return null;
  if (lease.holderKind === 'person' && lease.userId) return { kind: 'person', userId: lease.userId };
  if (programHolds(lease, now)) return { kind: 'program', tokenId: lease.tokenId! };
  return null;
}

export type ProgramCallDecision =
  /** Holds it, with time to spare: nothing to write. */
  | { kind: 'keep' }
  /** Holds it, or gets it: write the lease with this expiry; `granted` when it is new to this token (audited). */
  | { kind: 'hold'; expiresAt: Date; granted: boolean }
  | { kind: 'forbidden' }
  | { kind: 'taken'; by: { kind: 'program'; tokenId: string } | { kind: 'person'; userId: string } };

/** What a call by the program with `tokenId` does to the lease at `now`. */
export function decideProgramCall(lease: ControlLeaseRecord | null, tokenId: string, now: Date): ProgramCallDecision {
  if (lease && !lease.programsAllowed) return { kind: 'forbidden' };
  const holder = currentHolder(lease, now);
  if (holder && !(holder.kind === 'program' && holder.tokenId === tokenId)) return { kind: 'taken', by: holder };
  const expiresAt = new Date(now.getTime() + PROGRAM_LEASE_MS);
  if (holder && lease!.expiresAt!.getTime() - now.getTime() > PROGRAM_LEASE_MS - LEASE_RENEW_SLACK_MS) return { kind: 'keep' };
  return { kind: 'hold', expiresAt, granted: !holder };
}
