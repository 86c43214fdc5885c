import type { EnvironmentRecord } from '../ports/store';

/** What clients may see of an environment: never the display's address or password. */
export type PublicEnvironment = Omit<EnvironmentRecord, 'displayEndpoint'> & { displayReady: boolean };

export function toPublicEnvironment(env: EnvironmentRecord): PublicEnvironment {
  const { displayEndpoint, ...rest } = env;
  return { ...rest, displayReady: displayEndpoint !== null };
}
