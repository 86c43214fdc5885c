import type { Actor } from '../ports/store';
import type { KeyService } from './key-ports';

/** The TOTP secret of one user is sealed under that user's own data key. */
export const TOTP_SECRET_PURPOSE = 'user.totp';

export const sealTotpSecret = (opts: { keys: KeyService; userId: string; secret: string; actor: Actor }): Promise<string> =>
  opts.keys.seal({ purpose: TOTP_SECRET_PURPOSE, objectId: opts.userId }, opts.secret, opts.actor);

export const openTotpSecret = (opts: { keys: KeyService; userId: string; stored: string; actor: Actor }): Promise<string> =>
  opts.keys.open({ purpose: TOTP_SECRET_PURPOSE, objectId: opts.userId }, opts.stored, opts.actor);
