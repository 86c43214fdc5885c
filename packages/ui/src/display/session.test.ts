import { describe, expect, it } from 'vitest';
import { keysymForChar, KEYSYM } from './keysyms';
import { fitScale, isFinalTokenError, measureTunnel, reconnectDelay } from './session';

describe('display helpers', () => {
  it('fits the remote screen into the window without upscaling in the page', () => {
    expect(fitScale(1280, 800, 1400, 1000, false)).toBe(1);
    expect(fitScale(1280, 800, 390, 700, false)).toBeCloseTo(390 / 1280);
    expect(fitScale(1280, 800, 2560, 1600, true)).toBe(2);
    expect(fitScale(0, 0, 100, 100, false)).toBe(1);
  });

  it('backs off reconnects up to 5 s and stops on final token errors only', () => {
    expect([1, 2, 3, 9].map(reconnectDelay)).toEqual([1000, 2000, 3000, 5000]);
    expect(isFinalTokenError({ data: { code: 'CONFLICT' } })).toBe(true);
    expect(isFinalTokenError({ data: { code: 'INTERNAL_SERVER_ERROR' } })).toBe(false);
    expect(isFinalTokenError(new TypeError('Failed to fetch'))).toBe(false);
  });

  it('maps characters to keysyms', () => {
    expect(keysymForChar('a')).toBe(0x61);
    expect(keysymForChar('>')).toBe(0x3e);
    expect(keysymForChar('\n')).toBe(KEYSYM.Return);
    expect(keysymForChar('€')).toBe(0x010020ac);
  });

  it('measures round trips and frames on the tunnel and passes other instructions on', () => {
    const seen: string[] = [];
    const sent: unknown[][] = [];
    const tunnel: { oninstruction: (op: string, args: string[]) => void; sendMessage: (...a: unknown[]) => void } = { oninstruction: (op) => void seen.push(op), sendMessage: (...a: unknown[]) => sent.push(a) };
    const stats: { rttMs: number | null; fps: number }[] = [];
    const stop = measureTunnel({ Tunnel: { INTERNAL_DATA_OPCODE: '' } }, tunnel, (s) => stats.push(s));
    expect(sent[0]?.slice(0, 2)).toEqual(['', 'genos-rtt']);
    tunnel.oninstruction('sync', ['1']);
    tunnel.oninstruction('genos-rtt', [String(performance.now() - 5)]);
    expect(seen).toEqual(['sync']);
    stop();
  });
});
