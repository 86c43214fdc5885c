'use client';

/** What the bar needs of control.status. */
export interface ControlBarStatus {
  holder: { kind: 'program' | 'person'; name: string } | null;
  programsAllowed: boolean;
  suspendedProgram: string | null;
  lastProgram?: string | null;
}

/** Whether the owner needs the bar: a program holds or held control, a person took it, or programs are turned off. */
export const showControlBar = (s: ControlBarStatus | undefined): s is ControlBarStatus =>
  !!s && (s.holder !== null || !!s.lastProgram || !!s.suspendedProgram || !s.programsAllowed);

/** "token robot" → "A program (token robot)". */
const program = (name: string) => `A program (${name})`;

/**
 * Who drives the desktop, for its owner: a program (with "Take over"), the
 * owner (with "Hand back"), or nobody; and whether programs may at all.
 * Presentational: the page polls the status and runs the mutations.
 */
export function ControlBar(props: {
  status: ControlBarStatus;
  onTakeOver: () => void;
  onHandBack: () => void;
  onAllowPrograms: (allowed: boolean) => void;
  /** A request is on its way: buttons wait for it. */
  pending?: boolean;
  error?: string | null;
}) {
  const { status: s, pending } = props;
  const holder = s.holder;
  const text =
    holder?.kind === 'program'
      ? `${program(holder.name)} is in control`
      : holder?.kind === 'person'
        ? `You have control${s.suspendedProgram ? `; ${program(s.suspendedProgram).toLowerCase()} waits for you to hand it back` : ''}`
        : s.lastProgram && s.programsAllowed
          ? `Nobody is in control; ${program(s.lastProgram).toLowerCase()} was, and can take it again`
          : 'Nobody is in control';
  return (
    <div
      className="control-bar"
      data-testid="control-bar"
      data-holder={holder?.kind ?? 'none'}
      role="status"
      style={{ display: 'flex', gap: '0.75rem', alignItems: 'center', flexWrap: 'wrap', margin: '0.5rem 0' }}
    >
      <span data-testid="control-holder" data-kind={holder?.kind ?? 'none'} style={{ flex: 1, minWidth: '14rem' }}>
        {text}
      </span>
      {holder?.kind !== 'person' && (
        <button type="button" data-testid="take-over" disabled={pending} onClick={props.onTakeOver} title="Suspend the program and use the desktop yourself">
          Take over
        </button>
      )}
      {holder?.kind === 'person' && (
        <button type="button" data-testid="hand-back" disabled={pending} onClick={props.onHandBack} title="Give control back to the program you took it from">
          Hand back
        </button>
      )}
      <label style={{ display: 'inline-flex', gap: '0.35rem', alignItems: 'center' }}>
        <input type="checkbox" data-testid="allow-programs" checked={s.programsAllowed} disabled={pending} onChange={(e) => props.onAllowPrograms(e.target.checked)} />
        Allow programs to control this desktop
      </label>
      {props.error && (
        <span className="error" role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}
