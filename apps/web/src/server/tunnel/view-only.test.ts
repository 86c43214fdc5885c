import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeInstruction as ins } from './guac-parser';
import { smuggleAfterNop } from './testing/guac-reference';
import { createViewOnlyGate, restrictToViewOnly } from './view-only';

/** A socket stand-in with the gate installed: what guacamole-lite would receive, and how it closed. */
function gated() {
  const ws = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const passed: string[] = [];
  const logs: string[] = [];
  const state = { closed: 0 };
  ws.close = (code: number) => (state.closed = code);
  ws.terminate = () => undefined;
  const gate = restrictToViewOnly(ws as unknown as WebSocket, (m) => logs.push(m));
  ws.on('message', (d: unknown) => passed.push(String(d)));
  // As ws gives it: a Buffer of UTF-8. A string is what an outer gate passes on.
  const send = (text: string | Buffer, binary = false) => ws.emit('message', typeof text === 'string' ? Buffer.from(text) : text, binary);
  const sendString = (text: string) => ws.emit('message', text, false);
  return { gate, passed, logs, state, send, sendString };
}

describe('view-only gate', () => {
  it('passes display acknowledgements and keep-alives, drops every kind of input', () => {
    const g = gated();
    const allowed = ins('sync', '1234') + ins('nop') + ins('ack', '1', 'OK', '0') + ins('disconnect');
    const input =
      ins('key', '97', '1') +
      ins('mouse', '10', '10', '1') +
      ins('touch', '0', '1', '1', '1', '1', '0', '1') +
      ins('clipboard', '0', 'text/plain') +
      ins('blob', '0', 'aGk=') +
      ins('end', '0') +
      ins('file', '1', 'text/plain', 'x.txt') +
      ins('pipe', '2', 'text/plain', 'p') +
      ins('size', '100', '100') +
      ins('argv', '3', 'text/plain', 'read-only');
    g.send(allowed + input);
    expect(g.passed.join('')).toBe(allowed);
    expect(g.gate.dropped).toBe(10);
    expect(g.state.closed).toBe(0);
  });

  it('keeps an instruction split across messages whole, and does not let input through its pieces', () => {
    const g = gated();
    const key = ins('key', '65307', '1');
    g.send(key.slice(0, 5));
    g.send(key.slice(5) + ins('sync', '1'));
    expect(g.passed).toEqual([ins('sync', '1')]);
    // Lengths count code points, as guacd does: astral characters do not desynchronise the gate.
    g.send(ins('sync', 'é€😀') + ins('key', '1', '1'));
    expect(g.passed).toEqual([ins('sync', '1'), ins('sync', 'é€😀')]);
  });

  it('drops a key press hidden behind astral characters (read as one nop when lengths counted UTF-16 units)', () => {
    const g = gated();
    g.send(smuggleAfterNop(ins('key', '65', '1') + ins('key', '65', '0')));
    expect(g.passed.join('')).not.toMatch(/key/);
    expect(g.gate.dropped).toBe(2);
  });

  it('closes the connection, logged, on malformed input, unknown opcodes and binary frames', () => {
    for (const [bad, reason] of [
      ['4.key;x', /bad terminator/],
      ['x.key;', /bad length/],
      [`9999.${'a'.repeat(20)}`, /longer than 8192/],
      // ws never makes one from a text frame (invalid UTF-8 is refused); a gate before this one could.
      ['4.name,1.\uD83D;', /lone surrogate/],
      [ins('exec', 'rm -rf /'), /unknown opcode "exec"/],
    ] as const) {
      const g = gated();
      g.sendString(bad);
      expect(g.state.closed, bad).toBe(1008);
      expect(g.logs[0], bad).toMatch(reason);
    }
    const g = gated();
    g.send(ins('sync', '1'), true);
    expect(g.state.closed).toBe(1008);
    expect(g.logs).toEqual(['tunnel: view-only browser sent malformed Guacamole, closing that connection: binary frame']);
    g.send(ins('sync', '2'));
    expect(g.passed).toEqual([]);
  });

  it('refuses opcodes outside the protocol at the gate itself', () => {
    const gate = createViewOnlyGate();
    expect(() => gate.pass({ opcode: 'exec', args: [], raw: '' })).toThrow(/unknown opcode/);
    expect(gate.pass({ opcode: 'key', args: [], raw: '' })).toBe(false);
  });
});
