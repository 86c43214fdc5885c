import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { BROWSER_LIMITS, encodeInstruction as ins } from './guac-parser';
import { browserParse, referenceParse, smuggleAfterNop, smuggleInName } from './testing/guac-reference';
import { carriesUserInput, guardTunnel } from './tunnel-guard';

/** A socket stand-in: what would reach guacd (through guacamole-lite), what the browser would receive, how it closed. */
function guarded(allowCopy: boolean, allowPaste: boolean) {
  const ws = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const toGuacd: string[] = [];
  const toBrowser: string[] = [];
  const logs: string[] = [];
  const sizes: number[][] = [];
  const state = { closed: 0 };
  ws.send = (data: unknown) => void toBrowser.push(String(data));
  ws.close = (code: number) => (state.closed = code);
  ws.terminate = () => undefined;
  guardTunnel(ws as unknown as WebSocket, { policy: { allowCopy, allowPaste }, environmentId: 'env1', log: (m) => logs.push(m), onSize: (w, h) => sizes.push([w, h]) });
  ws.on('message', (d: unknown) => toGuacd.push(String(d)));
  return {
    fromBrowser: (text: string) => ws.emit('message', Buffer.from(text), false),
    fromGuacd: (text: string) => (ws.send as (d: string) => void)(text),
    toGuacd,
    toBrowser,
    logs,
    sizes,
    state,
  };
}
const clip = (s: string) => ins('clipboard', s, 'text/plain') + ins('blob', s, 'c2VjcmV0') + ins('end', s);
const opcodes = (messages: string[]) => messages.flatMap((m) => browserParse(m).map((i) => i.opcode));

describe('tunnel guard', () => {
  it('answers pings and round-trip probes itself, passes size on, forwards the rest', () => {
    const g = guarded(true, true);
    g.fromBrowser(ins('', 'ping', '17') + ins('', 'genos-rtt', '1.5') + ins('size', '1280', '800') + ins('key', '65', '1'));
    expect(g.toBrowser).toEqual([ins('', 'ping', '17'), ins('genos-rtt', '1.5')]);
    expect(g.toGuacd).toEqual([ins('size', '1280', '800') + ins('key', '65', '1')]);
    expect(g.sizes).toEqual([[1280, 800]]);
  });

  it('paste forbidden: drops a clipboard stream, also one hidden behind astral characters', () => {
    const g = guarded(true, false);
    g.fromBrowser(clip('1') + smuggleAfterNop(clip('2')) + ins('key', '65', '1'));
    expect(referenceParse(g.toGuacd.join(''), BROWSER_LIMITS).instructions.map((i) => i.opcode)).toEqual(['nop', 'nop', 'key']);
    expect(g.logs).toEqual(['tunnel: dropped a clipboard paste into env1 (team policy)']);
  });

  it('copy forbidden: the browser gets no clipboard, also none a desktop name smuggles to its UTF-16 parser', () => {
    const g = guarded(false, true);
    for (const m of [ins('name', smuggleInName(clip('5'))), ...clip('3').match(/[^;]*;/g)!, ins('sync', '1')]) g.fromGuacd(m);
    expect(opcodes(g.toBrowser)).toEqual(['name', 'sync']);
    expect(g.toBrowser.join('')).not.toContain(ins('blob', '3', 'c2VjcmV0'));
  });

  it('copy allowed: astral characters reach the browser as U+FFFD, so it reads what the gate read', () => {
    const g = guarded(true, true);
    g.fromGuacd(ins('name', 'Desk 😀 שלום e\u0301'));
    expect(g.toBrowser).toEqual([ins('name', 'Desk \uFFFD שלום e\u0301')]);
    expect(browserParse(g.toBrowser[0]!)).toEqual([{ opcode: 'name', args: ['Desk \uFFFD שלום e\u0301'] }]);
  });

  it('closes the connection, logged, on malformed input from either side', () => {
    const a = guarded(true, true);
    a.fromBrowser('4.sync,-1.;');
    a.fromBrowser(ins('key', '65', '1'));
    expect(a.state.closed).toBe(1008);
    expect(a.toGuacd).toEqual([]);
    expect(a.logs).toEqual(['tunnel: browser sent malformed Guacamole, closing that connection: bad length "-"']);
    const b = guarded(true, true);
    b.fromGuacd('4.sync,1.1;');
    b.fromGuacd('4.name,1.\uDE00;');
    b.fromGuacd('4.sync,1.2;');
    expect(b.toBrowser).toEqual(['4.sync,1.1;']);
    expect(b.logs).toEqual(['tunnel: guacd sent malformed Guacamole, closing that connection: lone surrogate']);
  });
});

describe('input for the idle policy', () => {
  it('recognises keyboard, mouse and touch instructions only, by parsing them', () => {
    expect(carriesUserInput('5.mouse,3.100,3.200,1.1;')).toBe(true);
    expect(carriesUserInput('3.key,5.65307,1.1;')).toBe(true);
    expect(carriesUserInput('4.sync,8.12345678;5.touch,1.0,2.10,2.10,1.5,1.5,1.0,1.1;')).toBe(true);
    expect(carriesUserInput('4.sync,8.12345678;')).toBe(false);
    expect(carriesUserInput('0.,4.ping,13.1700000000000;')).toBe(false);
    expect(carriesUserInput('4.size,4.1280,3.800;')).toBe(false);
    expect(carriesUserInput('4.blob,1.0,12.bW91c2Usa2V5;')).toBe(false);
    // Inside an element, "3.key," is text, not an instruction.
    expect(carriesUserInput(ins('nop', ';3.key,1.1,1.1;'))).toBe(false);
  });
});
