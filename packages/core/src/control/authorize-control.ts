import type { Actor, EnvironmentRecord, Store, TeamRoleReader } from '../ports/store';
import { authorizeEnvironment, requireUser } from '../environments/authorize';

/**
 * Who may control a desktop, look at its control state or its action log:
 * whoever may open its display, i.e. its owner (a program through the
 * owner's token). Team admins and global admins get FORBIDDEN as for the
 * display; anyone else NOT_FOUND, exactly as for a missing desktop
 * (authorizeEnvironment's `connect`).
 */
export async function authorizeControl(opts: {
  store: Pick<Store, 'environments'> & { teams: TeamRoleReader };
  actor: Actor;
  id: string;
}): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  return authorizeEnvironment({ teams: opts.store.teams, actor: opts.actor, env: await opts.store.environments.findById(opts.id), id: opts.id, action: 'connect' });
}
