import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BROWSER_LIMITS, createGuacParser, encodeInstruction, GUACD_LIMITS, type GuacLimits } from './guac-parser';
import { browserParse, encodeUtf16, referenceParse, smuggleAfterNop, smuggleInName } from './testing/guac-reference';
import { guardTunnel } from './tunnel-guard';
import { restrictToViewOnly, VIEW_ONLY_ALLOWED } from './view-only';

// Differential fuzzing of the tunnel's parser and gates against the plain
// reference parser (code points, as guacd reads) and the browser's reader
// (UTF-16 units). Bounded for CI: each property stops after RUNS cases or
// LIMIT_MS, whichever comes first.
const RUNS = 400;
const LIMIT_MS = 2500;
const run = <T>(arb: fc.Arbitrary<T>, check: (v: T) => void) => fc.assert(fc.property(arb, check), { numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS });

// Characters that stress the protocol: its own punctuation and digits, astral
// characters, combining marks, joiners, right-to-left text, any code point.
const char = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', '1', '9', '.', ',', ';', ' ', '-') },
  { weight: 3, arbitrary: fc.constantFrom('😀', '𝔊', '👩‍👩‍👧', 'e\u0301', '\u0301', '\u200D', 'שלום', 'مرحبا', '\u202E', '\uFFFD', '\u0000', 'é') },
  { weight: 2, arbitrary: fc.fullUnicode() },
);
const text = (max: number) => fc.array(char, { maxLength: max }).map((cs) => cs.join(''));
const opcode = fc.oneof(fc.constantFrom('key', 'mouse', 'touch', 'nop', 'sync', 'ack', 'disconnect', '', 'clipboard', 'blob', 'end', 'size', 'name', 'argv', 'file', 'pipe'), text(4));
const stream = fc.constantFrom('0', '1', '7');
const instruction = fc.tuple(opcode, fc.array(text(8), { maxLength: 4 })).map(([op, args]) => encodeInstruction(op, ...args));
const clipboardStream = stream.map((s) => encodeInstruction('clipboard', s, 'text/plain') + encodeInstruction('blob', s, 'c2VjcmV0') + encodeInstruction('end', s));
const input = fc.constantFrom(encodeInstruction('key', '65', '1'), encodeInstruction('mouse', '5', '5', '1'));
// Valid streams, and hostile ones: UTF-16 lengths, smuggling, lone surrogates, bad and huge lengths.
const piece = fc.oneof(
  { weight: 6, arbitrary: instruction },
  { weight: 2, arbitrary: clipboardStream },
  { weight: 2, arbitrary: fc.oneof(input, clipboardStream).map(smuggleAfterNop) },
  { weight: 2, arbitrary: fc.tuple(opcode, fc.array(text(6), { maxLength: 3 })).map(([op, args]) => encodeUtf16(op, ...args)) },
  { weight: 1, arbitrary: fc.constantFrom('\uD83D', '\uDE00', '-1.', '1x.', '.', '99999999999.', '8193.', '4.sync,', ';', ',') },
);
const hostile = fc.array(piece, { maxLength: 8 }).map((ps) => ps.join(''));
const valid = fc.array(fc.tuple(opcode, fc.array(text(8), { maxLength: 4 })), { maxLength: 8 });
/** A text and where to cut it: anywhere, inside pairs and lengths included. */
const chunked = (arb: fc.Arbitrary<string>) =>
  arb.chain((t) => fc.tuple(fc.constant(t), fc.uniqueArray(fc.nat(t.length), { maxLength: 6 })).map(([s, cuts]) => cut(s, cuts)));
const cut = (s: string, cuts: number[]) => {
  const at = [0, ...cuts.sort((a, b) => a - b), s.length];
  return at.slice(1).map((end, i) => s.slice(at[i], end));
};

function tunnelParse(pieces: string[], limits: GuacLimits) {
  const parser = createGuacParser(limits);
  const out: { opcode: string; args: string[]; raw: string }[] = [];
  try {
    for (const p of pieces) out.push(...parser.push(p));
  } catch {
    return { out, error: true, idle: false };
  }
  return { out, error: false, idle: parser.idle };
}

/** A websocket stand-in: what guacamole-lite would forward to guacd, what the browser would receive, how it closed. */
function fakeSocket() {
  const ws = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const toGuacd: string[] = [];
  const toBrowser: string[] = [];
  const state = { closed: 0 };
  ws.send = (data: string, ...rest: unknown[]) => {
    toBrowser.push(String(data));
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
  };
  ws.close = (code: number) => (state.closed = code);
  ws.terminate = () => undefined;
  return { ws: ws as unknown as WebSocket, toGuacd, toBrowser, state, listen: () => ws.on('message', (d: unknown) => toGuacd.push(String(d))) };
}
const policy = (allowCopy: boolean, allowPaste: boolean) => ({ policy: { allowCopy, allowPaste }, environmentId: 'e' });

describe('guac-parser against the reference parser (fast-check)', () => {
  it('valid streams: the instructions encoded, whatever the chunking', () => {
    run(
      valid.chain((list) => {
        const t = list.map(([op, args]) => encodeInstruction(op, ...args)).join('');
        return fc.uniqueArray(fc.nat(t.length), { maxLength: 6 }).map((cuts) => ({ list, pieces: cut(t, cuts), t }));
      }),
      ({ list, pieces, t }) => {
        const got = tunnelParse(pieces, BROWSER_LIMITS);
        expect(got.error).toBe(false);
        expect(got.out.map((i) => [i.opcode, ...i.args])).toEqual(list.map(([op, args]) => [op, ...args]));
        expect(got.out.map((i) => i.raw).join('')).toBe(t);
      },
    );
  });

  it('hostile streams: same instructions and same refusals as the reference, whatever the chunking', () => {
    for (const limits of [BROWSER_LIMITS, { maxElementLength: 20, maxElements: 4, maxInstructionLength: 60 }, GUACD_LIMITS]) {
      run(chunked(hostile), (pieces) => {
        const ref = referenceParse(pieces.join(''), limits);
        const got = tunnelParse(pieces, limits);
        expect(got.error).toBe(ref.error);
        if (ref.error) expect(ref.instructions.slice(0, got.out.length)).toEqual(got.out);
        else {
          expect(got.out).toEqual(ref.instructions);
          expect(got.idle).toBe(ref.rest === '');
        }
      });
    }
  });
});

describe('gates (fast-check): what passes is read by guacd and the browser exactly as the gate read it', () => {
  it('view-only: guacd reads only allowed instructions, the ones the gate passed', () => {
    run(chunked(hostile), (pieces) => {
      const s = fakeSocket();
      restrictToViewOnly(s.ws);
      guardTunnel(s.ws, policy(true, true));
      s.listen();
      for (const p of pieces) s.ws.emit('message', p, false);
      const passed = referenceParse(s.toGuacd.join(''), BROWSER_LIMITS);
      expect(passed.error).toBe(false);
      expect(passed.rest).toBe('');
      for (const m of s.toGuacd) expect(referenceParse(m, BROWSER_LIMITS).rest).toBe(''); // whole instructions per message
      expect(passed.instructions.every((i) => VIEW_ONLY_ALLOWED.has(i.opcode) && i.opcode !== '')).toBe(true);
      // The same instructions, in order, as the gate read them from the input.
      const input = referenceParse(pieces.join(''), BROWSER_LIMITS).instructions.filter((i) => VIEW_ONLY_ALLOWED.has(i.opcode) && i.opcode !== '');
      expect(input.slice(0, passed.instructions.length)).toEqual(passed.instructions);
      if (s.state.closed === 0) expect(passed.instructions).toEqual(input);
    });
  });

  it('paste forbidden: guacd reads no clipboard stream', () => {
    run(chunked(hostile), (pieces) => {
      const s = fakeSocket();
      guardTunnel(s.ws, policy(true, false));
      s.listen();
      for (const p of pieces) s.ws.emit('message', p, false);
      const passed = referenceParse(s.toGuacd.join(''), BROWSER_LIMITS);
      expect(passed.error).toBe(false);
      expect(passed.rest).toBe('');
      expect(passed.instructions.map((i) => i.opcode)).not.toContain('clipboard');
      const ref = referenceParse(pieces.join(''), BROWSER_LIMITS);
      expect(s.state.closed !== 0).toBe(ref.error);
    });
  });

  it('from a hostile desktop: the browser reads what the gate read, and no clipboard when copying is forbidden', () => {
    // guacamole-lite sends one instruction per message, lengths in code points.
    const desktop = fc.array(
      fc.oneof(
        fc.tuple(opcode, fc.array(text(8), { maxLength: 3 })).map(([op, args]) => encodeInstruction(op, ...args)),
        fc.oneof(clipboardStream, input).map((h) => encodeInstruction('name', smuggleInName(h))),
        clipboardStream,
      ),
      { maxLength: 6 },
    );
    run(fc.tuple(desktop, fc.boolean()), ([messages, allowCopy]) => {
      const s = fakeSocket();
      guardTunnel(s.ws, policy(allowCopy, true));
      for (const m of messages) for (const one of referenceParse(m, GUACD_LIMITS).instructions) s.ws.send(one.raw);
      expect(s.state.closed).toBe(0);
      for (const m of s.toBrowser) {
        const ref = referenceParse(m, GUACD_LIMITS);
        expect(ref.rest).toBe('');
        expect(browserParse(m)).toEqual(ref.instructions.map(({ opcode, args }) => ({ opcode, args })));
        if (!allowCopy) expect(ref.instructions.map((i) => i.opcode)).not.toContain('clipboard');
      }
    });
  });
});
