import { createHash } from 'node:crypto';
import type { ShareLinkRecord } from '../ports/store';

/**
 * Share links: someone else watches (`view`) or uses (`collaborate`) a running
 * desktop through `/share/<secret>`. Only the secret's sha256 is stored. The
 * rules both the token minting (mint-tunnel-token.ts) and the tunnel's
 * admission (admit-connection.ts) apply live here.
 */
export const SHARE_MODES = ['view', 'collaborate'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

export const hashShareSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** What a secret looks like (24 random bytes, base64url); anything else is unknown without a database read. */
export const SHARE_SECRET_RE = /^[A-Za-z0-9_-]{20,100}$/;

export type ShareState = 'active' | 'expired' | 'revoked';
export const shareLinkState = (s: Pick<ShareLinkRecord, 'expiresAt' | 'revokedAt'>, now: number): ShareState =>
  s.revokedAt ? 'revoked' : s.expiresAt.getTime() <= now ? 'expired' : 'active';

/** What a person opening a bad link reads: never anything about the desktop itself. */
export const SHARE_MESSAGES = {
  unknown: 'This share link does not exist. Ask the desktop owner for a new one.',
  revoked: 'This share link was revoked by the desktop owner.',
  expired: 'This share link has expired. Ask the desktop owner for a new one.',
  notRunning: 'The shared desktop is not running right now.',
  signIn: 'Sign in to use this collaborate link: whatever you type is attributed to you.',
} as const;
