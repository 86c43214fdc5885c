import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30 s. */
export const TOTP_PERIOD_S = 30;
/** One step either side, for clock drift between the phone and the server. */
export const TOTP_TOLERANCE_S = TOTP_PERIOD_S;
export const RECOVERY_CODE_COUNT = 10;

export const newTotpSecret = () => generateSecret();

/** What the settings page shows while enrolling: the otpauth URI as a QR code, and the key to type by hand. */
export async function totpEnrolment(secret: string, accountName: string) {
  const uri = generateURI({ issuer: 'GenOS', label: accountName, secret });
  const qrDataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 220 });
  return { secret, uri, qrDataUrl, manualKey: secret.replace(/(.{4})(?=.)/g, '$1 ') };
}

export const looksLikeTotpCode = (code: string) => /^\d{6}$/.test(code.replace(/\s+/g, ''));

// The last time step accepted per user: a code is good once (replay protection).
// In memory, which is enough for the single web process (see README).
const g = globalThis as unknown as { __genosTotpSteps?: Map<string, number> };
const lastSteps = (g.__genosTotpSteps ??= new Map());

/**
 * Checks a 6-digit code against the secret at `nowMs`, accepting the previous
 * and next 30-second steps. With `replayKey`, a step already accepted for that
 * key (or an earlier one) is refused.
 */
export async function verifyTotp(secret: string, code: string, opts: { nowMs?: number; replayKey?: string } = {}): Promise<boolean> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return false;
  const after = opts.replayKey ? lastSteps.get(opts.replayKey) : undefined;
  try {
    const result = await verify({
      secret,
      token,
      epoch: Math.floor((opts.nowMs ?? Date.now()) / 1000),
      epochTolerance: TOTP_TOLERANCE_S,
      ...(after !== undefined && { afterTimeStep: after }),
    });
    if (!result.valid) return false;
    if (opts.replayKey && 'timeStep' in result) lastSteps.set(opts.replayKey, result.timeStep);
    return true;
  } catch {
    return false;
  }
}

// Recovery codes: 10 random characters from an unambiguous alphabet, shown as xxxxx-xxxxx.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]+/g, '');
export const looksLikeRecoveryCode = (code: string) => /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(code));

// ~50 random bits per code: OWASP's minimum argon2id settings are plenty, and keep
// checking a code against ten hashes fast at sign-in.
const RECOVERY_HASH = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Ten fresh codes (shown once) and their argon2 hashes (stored). */
export async function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): Promise<{ codes: string[]; hashes: string[] }> {
  const codes: string[] = [];
  while (codes.length < count) {
    const raw = [...randomBytes(10)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
    const code = `${raw.slice(0, 5)}-${raw.slice(5)}`;
    if (!codes.includes(code)) codes.push(code);
  }
  const hashes = await Promise.all(codes.map((c) => argon2.hash(normalizeRecoveryCode(c), RECOVERY_HASH)));
  return { codes, hashes };
}

/** The stored hash the code matches, or null. Never throws on a malformed hash. */
export async function matchRecoveryCode(hashes: readonly string[], code: string): Promise<string | null> {
  if (!looksLikeRecoveryCode(code)) return null;
  const normalized = normalizeRecoveryCode(code);
  for (const hash of hashes) {
    if (await argon2.verify(hash, normalized).catch(() => false)) return hash;
  }
  return null;
}
