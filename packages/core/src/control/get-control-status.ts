import type { ControlLeaseRecord, ControlNames } from '../ports/control-store';
import type { Actor, Store } from '../ports/store';
import { authorizeControl } from './authorize-control';
import { currentHolder } from './control-lease';
import { personName, programName } from './control-names';

export interface ControlStatus {
  holder: { kind: 'program' | 'person'; name: string } | null;
  programsAllowed: boolean;
  /** The program a person took control from, which hand-back returns it to. */
  suspendedProgram: string | null;
  /** The last program that held control (even when its lease expired): the control bar shows while there is one. */
  lastProgram: string | null;
}

/** The status as the owner's page and the API show it. */
export async function describeControl(names: ControlNames, lease: ControlLeaseRecord | null, now: Date): Promise<ControlStatus> {
  const holder = currentHolder(lease, now);
  return {
    holder: holder ? { kind: holder.kind, name: holder.kind === 'program' ? await programName(names, holder.tokenId) : await personName(names, holder.userId) } : null,
    programsAllowed: lease?.programsAllowed ?? true,
    suspendedProgram: lease?.suspendedTokenId ? await programName(names, lease.suspendedTokenId) : null,
    lastProgram: lease?.tokenId ? await programName(names, lease.tokenId) : lease?.suspendedTokenId ? await programName(names, lease.suspendedTokenId) : null,
  };
}

/** Who controls the desktop now; the owner only (authorizeControl). */
export async function getControlStatus(opts: { store: Store; actor: Actor; id: string; now?: Date }): Promise<ControlStatus> {
  await authorizeControl(opts);
  return describeControl(opts.store.controls, await opts.store.controls.find(opts.id), opts.now ?? new Date());
}
