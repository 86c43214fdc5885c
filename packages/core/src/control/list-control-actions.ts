import type { Actor, Store } from '../ports/store';
import { authorizeControl } from './authorize-control';

export interface ControlActionLine {
  at: string;
  actor: string;
  action: string;
  params: Record<string, unknown>;
  screenshotRef: string | null;
}

/** The desktop's action log (newest `limit`, oldest first), as JSON lines export it; the owner only. */
export async function listControlActions(opts: { store: Store; actor: Actor; id: string; limit?: number }): Promise<ControlActionLine[]> {
  await authorizeControl(opts);
  const rows = await opts.store.controls.listActions(opts.id, Math.max(1, Math.min(opts.limit ?? 100, 1000)));
  return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actorName, action: r.action, params: r.params, screenshotRef: r.screenshotRef }));
}
