import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import type { ControlActionLine } from './list-control-actions';

/** One program action placed on a recording's timeline. */
export interface RecordingActionMark extends ControlActionLine {
  /** Milliseconds from the recording's start: where the player's timeline shows it. */
  offsetMs: number;
}

/** At most this many marks per recording: a timeline with more is unreadable, and the JSON-lines export has them all up to here. */
export const RECORDING_ACTIONS_MAX = 1000;

/**
 * The actions programs took on a desktop while one of its sessions was
 * recorded, aligned with the recording: administrators only, like the
 * recordings themselves. `recording` is the row the caller already read
 * (its environment and its time span).
 */
export async function listRecordingActions(opts: {
  store: Store;
  actor: Actor;
  recording: { environmentId: string; startedAt: Date; endedAt: Date | null };
  now?: Date;
}): Promise<RecordingActionMark[]> {
  if (opts.actor.kind !== 'user' || !opts.actor.isAdmin) throw new AppError('FORBIDDEN', 'recordings are for administrators');
  const { environmentId, startedAt, endedAt } = opts.recording;
  const rows = await opts.store.controls.listActions(environmentId, RECORDING_ACTIONS_MAX, { from: startedAt, to: endedAt ?? opts.now ?? new Date() });
  return rows.map((r) => ({
    at: r.at.toISOString(),
    offsetMs: Math.max(0, r.at.getTime() - startedAt.getTime()),
    actor: r.actorName,
    action: r.action,
    params: r.params,
    screenshotRef: r.screenshotRef,
  }));
}
