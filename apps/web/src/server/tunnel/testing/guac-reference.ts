/**
 * Test oracles for the tunnel's parser (never imported by the app):
 * - referenceParse: the protocol written as plainly as possible (a list of
 *   code points, one at a time), with the same limits and refusals as
 *   guac-parser.ts, to which the fuzzer compares it;
 * - browserParse: how guacamole-common-js 1.5.0's WebSocketTunnel reads one
 *   message (UTF-16 units, anything but ';' taken as a separator);
 * - the smuggling messages of the code-point/UTF-16 mismatch.
 */
import type { GuacLimits } from '../guac-parser';

export interface Parsed {
  opcode: string;
  args: string[];
}

const isLone = (cp: string) => cp.length === 1 && cp.charCodeAt(0) >= 0xd800 && cp.charCodeAt(0) <= 0xdfff;

/** The whole text at once: instructions up to the first error, whether there was one, and the unfinished tail. */
export function referenceParse(text: string, limits: GuacLimits): { instructions: (Parsed & { raw: string })[]; error: boolean; rest: string } {
  const cps = Array.from(text);
  const maxDigits = String(limits.maxElementLength).length;
  const instructions: (Parsed & { raw: string })[] = [];
  const units = (from: number, to: number) => cps.slice(from, to).join('').length;
  let start = 0;
  let i = 0;
  let elements: string[] = [];
  const fail = () => ({ instructions, error: true, rest: '' });
  for (;;) {
    // LENGTH '.'
    let digits = '';
    while (i < cps.length && cps[i] !== '.') {
      if (!/^[0-9]$/.test(cps[i]!) || digits.length >= maxDigits) return fail();
      digits += cps[i++];
    }
    if (units(start, i) > limits.maxInstructionLength) return fail();
    if (i >= cps.length) break;
    if (digits === '' || Number(digits) > limits.maxElementLength || elements.length >= limits.maxElements) return fail();
    i++;
    // VALUE: that many code points, none a lone surrogate (a high one ending the text may be half of a pair still to come).
    const value = cps.slice(i, i + Number(digits));
    const lone = value.findIndex(isLone);
    if (lone >= 0 && !(i + lone === cps.length - 1 && cps[i + lone]! < '\uDC00')) return fail();
    if (lone >= 0 || i + value.length >= cps.length) {
      if (units(start, cps.length) > limits.maxInstructionLength) return fail();
      break;
    }
    i += value.length;
    elements.push(value.join(''));
    // ',' or ';'
    const term = cps[i++];
    if (term !== ',' && term !== ';') return fail();
    if (term === ';') {
      if (units(start, i) > limits.maxInstructionLength) return fail();
      const [opcode = '', ...args] = elements;
      instructions.push({ opcode, args, raw: cps.slice(start, i).join('') });
      elements = [];
      start = i;
    }
  }
  return { instructions, error: false, rest: cps.slice(start).join('') };
}

/** guacamole-common-js 1.5.0, WebSocketTunnel.onmessage: each message alone, lengths in UTF-16 units, lenient. */
export function browserParse(message: string): Parsed[] {
  const out: Parsed[] = [];
  let elements: string[] = [];
  let startIndex = 0;
  let elementEnd = -1;
  do {
    const lengthEnd = message.indexOf('.', startIndex);
    if (lengthEnd === -1) break; // the tunnel closes: "Incomplete instruction."
    const length = parseInt(message.substring(elementEnd + 1, lengthEnd));
    startIndex = lengthEnd + 1;
    elementEnd = startIndex + length;
    elements.push(message.substring(startIndex, elementEnd));
    if (message.substring(elementEnd, elementEnd + 1) === ';') {
      const [opcode = '', ...args] = elements;
      out.push({ opcode, args });
      elements = [];
    }
    startIndex = elementEnd + 1;
  } while (startIndex < message.length);
  return out;
}

/** UTF-16-unit lengths: what the old gates and the browser's encoder wrote. */
export const encodeUtf16 = (...elements: string[]) => elements.map((e) => `${e.length}.${e}`).join(',') + ';';

const astral = (n: number) => '\u{1F600}'.repeat(n);

/**
 * One `nop` to a reader counting UTF-16 units; `nop`, then `hidden` (whole
 * ASCII instructions), then `nop` to one counting code points, as guacd does.
 * The first element's length covers k emoji in units, but k emoji plus the
 * next k characters in code points, which end right before a ';'.
 */
export function smuggleAfterNop(hidden: string): string {
  const m = 1 + hidden.length + 5; // ';' + hidden + '3.nop': the second element, to the unit reader
  const k = 2 + String(m).length; // ',' + m + '.': what the code-point reader's first element takes beyond the emoji
  return `3.nop,${2 * k}.${astral(k)},${m}.;${hidden}3.nop;`;
}

/**
 * A desktop name that guacamole-lite encodes (in code points) as one `name`
 * instruction and a UTF-16 reader (the browser) reads as `name` followed by
 * `hidden` (whole ASCII instructions).
 */
export function smuggleInName(hidden: string): string {
  const h = hidden.replace(/;$/, ''); // the name's own terminator closes the last one
  return `${astral(1 + h.length)};${h}`;
}
