import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveTunnels } from './live-tunnels';
import { applyTunnelLimits, createInstructionBudget, DEFAULT_TUNNEL_LIMITS, GUAC_STATUS, isDisplayActivity, isViewerActivity } from './tunnel-limits';

/** Just enough of a ws socket: messages in through emit, what the tunnel sends and how it closes. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: string[] = [];
  closed: { code: number; reason: string } | null = null;
  forwarded: string[] = [];
  constructor() {
    super();
    // What reaches guacamole-lite's listener.
    this.on('message', (d: Buffer | string) => this.forwarded.push(String(d)));
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
    this.readyState = 2;
  }
  terminate() {
    this.readyState = 3;
  }
}

const ins = (...els: string[]) => els.map((e) => `${e.length}.${e}`).join(',') + ';';
const message = (ws: FakeSocket, text: string) => ws.emit('message', Buffer.from(text), false);

afterEach(() => vi.useRealTimers());

describe('instruction budget', () => {
  it('allows the burst at once and the rate after it, and no more', () => {
    let t = 0;
    const b = createInstructionBudget({ perSecond: 100, burst: 200, now: () => t });
    expect(b.take(200)).toBe(true);
    expect(b.take(1)).toBe(false);
    t += 500;
    expect(b.take(50)).toBe(true);
    expect(b.take(1)).toBe(false);
    t += 10_000;
    expect(b.take(201)).toBe(false); // never more than the burst at once
    expect(b.take(200)).toBe(true);
  });
});

describe('what counts as activity', () => {
  it('from guacd: drawing does, sync and keep-alives do not', () => {
    expect(isDisplayActivity('4.sync,13.1700000000000;')).toBe(false);
    expect(isDisplayActivity('4.sync,13.1700000000000,1.1;3.nop;')).toBe(false);
    expect(isDisplayActivity('3.img,1.1,2.14,1.0,9.image/png,1.0,1.0;4.sync,4.1234;')).toBe(true);
    expect(isDisplayActivity('5.error,3.bye,3.512;')).toBe(true);
  });

  it('from the browser: input, clipboard and size do; acknowledgements and pings do not', () => {
    expect(isViewerActivity(ins('sync', '1234') + ins('ack', '1', 'OK', '0') + ins('nop'))).toBe(false);
    expect(isViewerActivity(ins('', 'ping', '1700000000000'))).toBe(false);
    expect(isViewerActivity(ins('mouse', '10', '10', '1'))).toBe(true);
    expect(isViewerActivity(ins('sync', '1') + ins('key', '97', '1'))).toBe(true);
    expect(isViewerActivity(ins('size', '1280', '800'))).toBe(true);
  });

  it('stays linear on hostile input', () => {
    const evil = '4.sync' + ',1.a'.repeat(50_000);
    const t0 = performance.now();
    expect(isViewerActivity(evil)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('per-connection limits', () => {
  const limits = { ...DEFAULT_TUNNEL_LIMITS, instructionsPerSecond: 100, instructionBurst: 200, maxMessageBytes: 4096, idleMs: 0 };

  it('forwards ordinary traffic untouched', () => {
    const ws = new FakeSocket();
    applyTunnelLimits(ws as unknown as WebSocket, limits, { label: 'test' });
    message(ws, ins('mouse', '1', '1', '0') + ins('key', '97', '1'));
    expect(ws.forwarded).toEqual([ins('mouse', '1', '1', '0') + ins('key', '97', '1')]);
    expect(ws.closed).toBeNull();
  });

  it('closes a flood with CLIENT_TOO_MANY and forwards nothing of it', () => {
    const ws = new FakeSocket();
    const logs: string[] = [];
    applyTunnelLimits(ws as unknown as WebSocket, limits, { label: 'flood', log: (m) => logs.push(m) });
    message(ws, ins('mouse', '1', '1', '0').repeat(150));
    message(ws, ins('mouse', '1', '1', '0').repeat(100));
    expect(ws.forwarded).toHaveLength(1);
    expect(ws.sent[0]).toBe(`5.error,${'The display connection was closed: the browser sent too many instructions.'.length}.The display connection was closed: the browser sent too many instructions.,3.${GUAC_STATUS.CLIENT_TOO_MANY};`);
    expect(ws.closed?.code).toBe(1008);
    expect(logs.join()).toMatch(/closing flood: more than 100 instructions per second/);
    message(ws, ins('key', '97', '1'));
    expect(ws.forwarded).toHaveLength(1);
  });

  it('closes an oversized message with CLIENT_OVERRUN, and malformed input as malformed', () => {
    const big = new FakeSocket();
    applyTunnelLimits(big as unknown as WebSocket, limits, { label: 'big' });
    message(big, ins('clipboard', '0', 'text/plain') + ins('blob', '0', 'x'.repeat(5000)));
    expect(big.sent.join()).toContain(`,3.${GUAC_STATUS.CLIENT_OVERRUN};`);
    expect(big.closed?.code).toBe(1009);
    expect(big.forwarded).toEqual([]);

    const bad = new FakeSocket();
    applyTunnelLimits(bad as unknown as WebSocket, limits, { label: 'bad' });
    message(bad, '5.mouse,x.1;');
    expect(bad.closed?.code).toBe(1008);
    expect(bad.forwarded).toEqual([]);
  });

  it('closes a connection idle both ways, and not one whose picture keeps changing', () => {
    vi.useFakeTimers();
    const quiet = new FakeSocket();
    const watching = new FakeSocket();
    for (const ws of [quiet, watching]) applyTunnelLimits(ws as unknown as WebSocket, { ...limits, idleMs: 60_000 }, { label: 'idle' });
    for (let s = 0; s < 70; s++) {
      vi.advanceTimersByTime(1000);
      // Both acknowledge frames; only one desktop draws.
      for (const ws of [quiet, watching]) message(ws, ins('sync', String(s)));
      watching.send('3.img,1.1,2.14,1.0,9.image/png,1.0,1.0;');
      quiet.send('4.sync,4.1234;');
    }
    expect(quiet.sent.join()).toContain(`,3.${GUAC_STATUS.SESSION_TIMEOUT};`);
    expect(quiet.closed).not.toBeNull();
    expect(watching.closed).toBeNull();
  });
});

describe('live connections', () => {
  it('caps a share link and ends its connections on revoke, even one admitted but not yet upgraded', () => {
    const live = liveTunnels();
    const slots = live.slots({ perUser: 8, perShareLink: 2 });
    const a = slots.take({ userId: null, shareLinkId: 'L1', environmentId: 'e' });
    const b = slots.take({ userId: 'u1', shareLinkId: 'L1', environmentId: 'e' });
    expect(slots.take({ userId: null, shareLinkId: 'L1', environmentId: 'e' })).toEqual({ full: 'share-link', limit: 2 });
    if ('full' in a || 'full' in b) throw new Error('slots expected');
    const ended: string[] = [];
    a.bind((e) => ended.push(`a:${e.message}`));
    expect(live.endShareLink('L1', { status: GUAC_STATUS.CLIENT_FORBIDDEN, message: 'revoked', closeCode: 4403 })).toBe(2);
    expect(ended).toEqual(['a:revoked']);
    // b is bound after the revoke: it ends at once.
    b.bind((e) => ended.push(`b:${e.message}`));
    expect(ended).toEqual(['a:revoked', 'b:revoked']);
    a.release();
    b.release();
    expect(live.count({ shareLinkId: 'L1' })).toBe(0);
  });
});
