import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, looksLikeRecoveryCode, matchRecoveryCode, newTotpSecret, normalizeRecoveryCode, totpEnrolment, verifyTotp } from './totp';

const at = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

describe('TOTP', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2025, 0, 1, 12, 0, 15); // 15 s into a 30 s step

  it('accepts the current code and one step either side, nothing further', async () => {
    expect(await verifyTotp(secret, await at(secret, now), { nowMs: now })).toBe(true);
    expect(await verifyTotp(secret, await at(secret, now - 30_000), { nowMs: now })).toBe(true);
    expect(await verifyTotp(secret, await at(secret, now + 30_000), { nowMs: now })).toBe(true);
    expect(await verifyTotp(secret, await at(secret, now - 60_000), { nowMs: now })).toBe(false);
    expect(await verifyTotp(secret, await at(secret, now + 60_000), { nowMs: now })).toBe(false);
  });

  it('refuses malformed codes and codes for another secret', async () => {
    const code = await at(secret, now);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`]) expect(await verifyTotp(secret, bad, { nowMs: now })).toBe(false);
    expect(await verifyTotp(newTotpSecret(), code, { nowMs: now })).toBe(false);
    expect(await verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { nowMs: now })).toBe(true);
  });

  it('accepts a code once per replay key (a replayed or older step is refused)', async () => {
    const key = `replay-${Math.random()}`;
    const code = await at(secret, now);
    expect(await verifyTotp(secret, code, { nowMs: now, replayKey: key })).toBe(true);
    expect(await verifyTotp(secret, code, { nowMs: now, replayKey: key })).toBe(false);
    expect(await verifyTotp(secret, await at(secret, now - 30_000), { nowMs: now, replayKey: key })).toBe(false);
    expect(await verifyTotp(secret, await at(secret, now + 30_000), { nowMs: now, replayKey: key })).toBe(true);
  });

  it('builds an otpauth URI, a QR code data URL and a grouped manual key', async () => {
    const e = await totpEnrolment(secret, 'alice@genos.test');
    expect(e.uri).toMatch(/^otpauth:\/\/totp\/GenOS:alice%40genos\.test\?/);
    expect(e.uri).toContain(`secret=${secret}`);
    expect(e.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(e.manualKey.replace(/ /g, '')).toBe(secret);
  });
});

describe('recovery codes', () => {
  it('makes 10 distinct codes, stores only argon2 hashes, matches each regardless of case, spaces or dash', async () => {
    const { codes, hashes } = await generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(hashes.every((h) => h.startsWith('$argon2'))).toBe(true);
    expect(hashes.some((h, i) => h.includes(normalizeRecoveryCode(codes[i]!)))).toBe(false);
    expect(await matchRecoveryCode(hashes, codes[3]!)).toBe(hashes[3]);
    expect(await matchRecoveryCode(hashes, ` ${codes[7]!.toUpperCase().replace('-', ' ')} `)).toBe(hashes[7]);
    expect(await matchRecoveryCode(hashes, 'aaaaa-aaaaa')).toBeNull();
    expect(await matchRecoveryCode(hashes, '123456')).toBeNull();
    expect(await matchRecoveryCode(['not-a-hash'], codes[0]!)).toBeNull();
    expect(looksLikeRecoveryCode('abcde-fghjk')).toBe(true);
    expect(looksLikeRecoveryCode('abc')).toBe(false);
  }, 60_000);

  it('a consumed code (removed from the list) no longer matches', async () => {
    const { codes, hashes } = await generateRecoveryCodes(3);
    const used = await matchRecoveryCode(hashes, codes[1]!);
    const left = hashes.filter((h) => h !== used);
    expect(await matchRecoveryCode(left, codes[1]!)).toBeNull();
    expect(await matchRecoveryCode(left, codes[0]!)).toBe(hashes[0]);
  }, 60_000);
});
