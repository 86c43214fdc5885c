import type { Actor } from '../ports/store';
import type { KeyService } from './key-ports';

/** Each user's home volume is encrypted (gocryptfs) under that user's own data key. */
export const HOME_VOLUME_PURPOSE = 'home-volume';

/** The raw data key of one user's home volume (made on first use; every use audited as `key.use`). */
export const homeVolumeKey = (opts: { keys: KeyService; ownerId: string; actor: Actor }): Promise<Uint8Array> =>
  opts.keys.dataKey({ purpose: HOME_VOLUME_PURPOSE, objectId: opts.ownerId }, opts.actor);
