import type { EnvironmentState } from '../lifecycle/environment-state';

/** One committed environment write, as carried on ENVIRONMENT_CHANGES_CHANNEL. */
export interface EnvironmentChange {
  id: string;
  state: EnvironmentState;
  ownerId: string;
}

/**
 * Changes may have been missed (the feed's connection dropped and came back,
 * or it only just started listening): re-read whatever you care about.
 */
export interface ChangesResync {
  resync: true;
}

export type ChangeFeedEvent = EnvironmentChange | ChangesResync;

export const isResync = (e: ChangeFeedEvent): e is ChangesResync => 'resync' in e && e.resync === true;

/**
 * Live environment changes, delivered after commit. Nothing is replayed:
 * after a gap a subscriber gets `{ resync: true }` and must re-read state, so
 * subscribe first and read second to never miss a wake-up.
 */
export interface ChangeFeed {
  /** Returns the unsubscribe function. Listeners must not throw (errors are swallowed). */
  subscribe(listener: (change: ChangeFeedEvent) => void): () => void;
}
