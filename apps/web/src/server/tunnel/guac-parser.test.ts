import { describe, expect, it } from 'vitest';
import { bmpOnly, BROWSER_LIMITS, codePointLength, createGuacParser, encodeInstruction, GUACD_LIMITS, GuacProtocolError, parseComplete, type GuacLimits } from './guac-parser';
import { browserParse, encodeUtf16, referenceParse, smuggleAfterNop, smuggleInName } from './testing/guac-reference';
import { createViewOnlyGate } from './view-only';
import { createClipboardGate } from './clipboard-filter';

const ops = (list: { opcode: string; args: string[] }[]) => list.map((i) => [i.opcode, ...i.args]);
const keyPress = encodeInstruction('key', '65', '1') + encodeInstruction('key', '65', '0');
const paste = encodeInstruction('clipboard', '7', 'text/plain') + encodeInstruction('blob', '7', Buffer.from('touch /tmp/x').toString('base64')) + encodeInstruction('end', '7');
/** What the gate passed, as guacd (code points) reads it. */
const asGuacd = (text: string) => ops(referenceParse(text, BROWSER_LIMITS).instructions);

/** Parses `text` fed in the given pieces; the error's reason if it fails. */
function feed(pieces: string[], limits: GuacLimits = BROWSER_LIMITS) {
  const parser = createGuacParser(limits);
  const out: string[][] = [];
  try {
    for (const p of pieces) out.push(...ops(parser.push(p)));
  } catch (e) {
    return { out, error: (e as GuacProtocolError).reason };
  }
  return { out, error: null, idle: parser.idle };
}

describe('the code-point/UTF-16 mismatch (regressions)', () => {
  it('a message a UTF-16 reader takes for one nop carries a key press to guacd: the view-only gate sees and drops it', () => {
    const msg = smuggleAfterNop(keyPress);
    // The old gates' reading (and the browser's): one harmless nop.
    expect(browserParse(msg).map((i) => i.opcode)).toEqual(['nop']);
    // guacd's reading, and now the tunnel's.
    expect(asGuacd(msg).map((i) => i[0])).toEqual(['nop', 'key', 'key', 'nop']);
    expect(feed([msg]).out).toEqual(asGuacd(msg));
    const gate = createViewOnlyGate();
    const passed = createGuacParser(BROWSER_LIMITS).push(msg).filter((i) => gate.pass(i)).map((i) => i.raw).join('');
    expect(asGuacd(passed).map((i) => i[0])).toEqual(['nop', 'nop']);
    expect(gate.dropped).toBe(2);
  });

  it('a message a UTF-16 reader takes for one nop carries a clipboard stream: with paste forbidden none of it passes', () => {
    const msg = smuggleAfterNop(paste);
    expect(browserParse(msg).map((i) => i.opcode)).toEqual(['nop']);
    expect(asGuacd(msg).map((i) => i[0])).toEqual(['nop', 'clipboard', 'blob', 'end', 'nop']);
    const gate = createClipboardGate(false);
    const passed = createGuacParser(BROWSER_LIMITS).push(msg).filter((i) => gate.pass(i)).map((i) => i.raw).join('');
    expect(asGuacd(passed).map((i) => i[0])).toEqual(['nop', 'nop']);
  });

  it('a desktop name guacamole-lite sends as one instruction is a clipboard stream to the browser, until astral characters are replaced', () => {
    const name = smuggleInName(encodeInstruction('clipboard', '3', 'text/plain') + encodeInstruction('blob', '3', 'c2VjcmV0') + encodeInstruction('end', '3'));
    const sent = encodeInstruction('name', name);
    const [ins] = parseComplete(sent, GUACD_LIMITS);
    expect(ins).toMatchObject({ opcode: 'name', args: [name] });
    expect(browserParse(sent).map((i) => i.opcode)).toEqual(['name', 'clipboard', 'blob', 'end']);
    const safe = bmpOnly(ins!);
    expect(browserParse(safe)).toEqual([{ opcode: 'name', args: [name.replace(/\u{1F600}/gu, '\uFFFD')] }]);
    expect(ops(parseComplete(safe, GUACD_LIMITS))).toEqual(ops(browserParse(safe)));
  });
});

describe('guac-parser', () => {
  it('counts code points: astral characters, combining marks, right-to-left text', () => {
    const values = ['😀', 'e\u0301', 'שלום', '👩‍👩‍👧', '𝔊', ''];
    const text = encodeInstruction('name', ...values);
    expect(text).toBe('4.name,1.😀,2.e\u0301,4.שלום,5.👩‍👩‍👧,1.𝔊,0.;');
    expect(feed([text]).out).toEqual([['name', ...values]]);
    expect(codePointLength('a😀b')).toBe(3);
    // The old encoders wrote UTF-16 units: the same text is not one instruction any more.
    expect(feed([encodeUtf16('name', '😀') + encodeUtf16('sync', '1')]).error).toMatch(/bad terminator "4"/);
  });

  it('gives the same instructions whatever the chunking, even inside a surrogate pair or a length', () => {
    const text = encodeInstruction('name', '😀x😀') + encodeInstruction('sync', '12345') + encodeInstruction('', 'ping', 'e\u0301😀') + keyPress;
    const whole = feed([text]).out;
    expect(whole.map((i) => i[0])).toEqual(['name', 'sync', '', 'key', 'key']);
    for (let a = 0; a <= text.length; a++) {
      expect(feed([text.slice(0, a), text.slice(a)])).toEqual({ out: whole, error: null, idle: true });
      for (let b = a; b <= text.length; b += 7) expect(feed([text.slice(0, a), text.slice(a, b), text.slice(b)]).out).toEqual(whole);
    }
    expect(feed(Array.from(text, (c) => c)).out).toEqual(whole); // unit by unit: pairs split in two
    expect(feed([text.slice(0, 9)])).toEqual({ out: [], error: null, idle: false });
  });

  it('refuses lone surrogates, whole or split', () => {
    expect(feed(['4.name,1.\uD83D;']).error).toBe('lone surrogate');
    expect(feed(['4.name,1.\uDE00;']).error).toBe('lone surrogate');
    expect(feed(['4.name,2.\uDE00\uD83D;']).error).toBe('lone surrogate');
    expect(feed(['4.name,2.a\uD83D', 'b;']).error).toBe('lone surrogate');
    expect(feed(['4.name,1.\uD83D', '\uDE00;']).out).toEqual([['name', '😀']]);
    expect(() => encodeInstruction('name', 'a\uD83D')).toThrow(GuacProtocolError);
  });

  it('refuses bad lengths', () => {
    for (const bad of ['-1', '1x', '', '+1', ' 1', '0x1', '1e3', '99999999999']) expect(feed([`${bad}.a;`]).error, bad).toMatch(/bad length|empty length|longer than/);
    expect(feed(['4.sync,', '99999']).error).toMatch(/longer than 8192/); // refused before the digits end
    expect(feed(['4.sync,8193.']).error).toMatch(/longer than 8192/);
    expect(feed(['3.key,x']).error).toMatch(/bad length/);
  });

  it('refuses bad terminators, over-long elements and instructions, too many elements', () => {
    expect(feed(['3.key;x']).error).toMatch(/bad length/);
    expect(feed(['3.keyX']).error).toMatch(/bad terminator/);
    expect(feed([encodeInstruction('blob', '1', 'a'.repeat(8192))]).error).toBeNull();
    expect(feed([encodeInstruction('blob', '1', 'a'.repeat(8193))]).error).toMatch(/element longer than 8192/);
    expect(feed([encodeInstruction('blob', ...Array(5).fill('a'.repeat(8000)))]).error).toMatch(/instruction longer than 32768/);
    // An unfinished one is refused as soon as it outgrows the limit, before its end arrives.
    expect(feed([encodeInstruction('blob', ...Array(5).fill('a'.repeat(8000))).slice(0, 33_000)]).error).toMatch(/instruction longer/);
    expect(feed([encodeInstruction('x', ...Array(127).fill(''))]).error).toBeNull();
    expect(feed([encodeInstruction('x', ...Array(128).fill(''))]).error).toMatch(/more than 128 elements/);
    // guacd's side allows image-sized elements.
    expect(feed([encodeInstruction('blob', '1', 'a'.repeat(100_000))], GUACD_LIMITS).out).toHaveLength(1);
  });

  it('stays failed after an error', () => {
    const parser = createGuacParser(BROWSER_LIMITS);
    expect(() => parser.push('x.')).toThrow(GuacProtocolError);
    expect(() => parser.push('4.sync,1.1;')).toThrow(/bad length/);
  });

  it('parseComplete refuses an unfinished instruction', () => {
    expect(parseComplete(keyPress, BROWSER_LIMITS)).toHaveLength(2);
    expect(() => parseComplete(keyPress.slice(0, -1), BROWSER_LIMITS)).toThrow(/incomplete/);
  });
});
