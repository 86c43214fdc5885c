import { AppError } from '../errors/app-error';

export const ENVIRONMENT_STATES = ['requested', 'provisioning', 'running', 'suspended', 'terminated', 'failed'] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

/** The only place that says which lifecycle moves are legal. */
const TRANSITIONS: Record<EnvironmentState, readonly EnvironmentState[]> = {
  requested: ['provisioning', 'terminated', 'failed'],
  provisioning: ['running', 'terminated', 'failed'],
  running: ['suspended', 'terminated', 'failed'],
  suspended: ['running', 'terminated', 'failed'],
  terminated: [],
  // A failed environment can still be cleaned up.
  failed: ['terminated'],
};

export const canTransition = (from: EnvironmentState, to: EnvironmentState): boolean => TRANSITIONS[from].includes(to);

export function assertTransition(from: EnvironmentState, to: EnvironmentState): void {
  if (!canTransition(from, to)) {
    throw new AppError('ILLEGAL_TRANSITION', `an environment cannot go from ${from} to ${to}`, { from, to });
  }
}

export const isFinalState = (s: EnvironmentState): boolean => TRANSITIONS[s].length === 0;
/** States in which the environment holds (or may hold) resources on a host. */
export const isLiveState = (s: EnvironmentState): boolean => s === 'provisioning' || s === 'running' || s === 'suspended';
