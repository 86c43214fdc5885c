import type { Actor } from '../ports/store';
import type { KeyService } from './key-ports';

/** Each desktop's Transfer folder is encrypted (gocryptfs) under the desktop's own data key, destroyed with it. */
export const TRANSFER_FOLDER_PURPOSE = 'transfer-folder';

/** The raw data key of one environment's Transfer folder (made on first use; every use audited as `key.use`). */
export const transferFolderKey = (opts: { keys: KeyService; environmentId: string; actor: Actor }): Promise<Uint8Array> =>
  opts.keys.dataKey({ purpose: TRANSFER_FOLDER_PURPOSE, objectId: opts.environmentId }, opts.actor);
