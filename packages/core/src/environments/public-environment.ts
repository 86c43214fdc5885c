import type { EnvironmentRecord } from '../ports/store';
import { canResizeDisplay } from './resize-display';

/**
 * What clients may see of an environment: never the display's address or
 * password. It says whether the screen can follow the window
 * (`displayResizable`), carries `hostLost`, `warning` and `warnedAt` from the record,
 * and `queuePosition`: how many queued environments go first while it waits
 * for a host (`requested` with no host), else null (see describe-environment.ts).
 */
export type PublicEnvironment = Omit<EnvironmentRecord, 'displayEndpoint'> & {
  displayReady: boolean;
  /** The desktop's screen can follow the viewer's window (canResizeDisplay). */
  displayResizable: boolean;
  hostLost: boolean;
  warning: string | null;
  warnedAt: Date | null;
  queuePosition: number | null;
  /** Requested or provisioning, and no worker that answers can take it (see describe-environment.ts). */
  noLiveHost: boolean;
};

/** Without a store at hand the queue position is unknown (null); describeEnvironment fills it in. */
export function toPublicEnvironment(env: EnvironmentRecord): PublicEnvironment {
  const { displayEndpoint, ...rest } = env;
  return { ...rest, displayReady: displayEndpoint !== null, displayResizable: canResizeDisplay(env.spec), queuePosition: null, noLiveHost: false };
}
