/**
 * The tunnel's one Guacamole protocol parser and encoder. An instruction is
 * `LENGTH.VALUE,LENGTH.VALUE,…;` and LENGTH counts Unicode code points, as
 * guacd (libguac's parser and guac_utf8_strlen) and guacamole-lite count them.
 * Every gate reads with this parser: a gate that counted UTF-16 code units
 * instead saw one harmless instruction where guacd saw several (an astral
 * character is one code point but two units), so input and clipboard streams
 * could be smuggled past it.
 *
 * Strict where guacd is lenient (guacd reads an empty length as 0 and lets a
 * long one overflow an int): anything this parser refuses closes the
 * connection, which is always safe. Lone surrogates are refused too: ws never
 * produces them from a text frame (it rejects invalid UTF-8), and Node would
 * send one to guacd as U+FFFD, a different character than the gate saw.
 */

export interface Instruction {
  opcode: string;
  args: string[];
  /** The instruction exactly as received, terminator included. */
  raw: string;
}

export interface GuacLimits {
  /** Largest declared element length, in code points. */
  maxElementLength: number;
  /** Most elements per instruction, opcode included. */
  maxElements: number;
  /** Longest instruction (raw text, UTF-16 units): bounds what one connection makes the tunnel buffer. */
  maxInstructionLength: number;
}

/** From the browser: guacd 1.3 itself refuses elements over 8192 characters, more than 128 elements, instructions over its 32 KiB buffer. */
export const BROWSER_LIMITS: GuacLimits = { maxElementLength: 8192, maxElements: 128, maxInstructionLength: 32 * 1024 };

/** From guacd (through guacamole-lite): image blobs are at most 6 KiB of base64, `args` lists ~100 names for RDP; 4 MiB is a wide margin. */
export const GUACD_LIMITS: GuacLimits = { maxElementLength: 4 * 1024 * 1024, maxElements: 1024, maxInstructionLength: 4 * 1024 * 1024 };

/** Malformed or over-limit input; `reason` says which, for the log line that closes the connection. */
export class GuacProtocolError extends Error {
  constructor(readonly reason: string) {
    super(`malformed Guacamole instruction: ${reason}`);
    this.name = 'GuacProtocolError';
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Code points in `s` (a surrogate pair is one). Throws on a lone surrogate. */
export function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  if (LONE.test(s)) throw new GuacProtocolError('lone surrogate');
  return s.length - (s.match(PAIRS)?.length ?? 0);
}

/** One instruction, lengths in code points. */
export const encodeInstruction = (opcode: string, ...args: string[]): string => [opcode, ...args].map((e) => `${codePointLength(e)}.${e}`).join(',') + ';';

/**
 * guacamole-common-js 1.5.0 (the browser's) counts UTF-16 units, guacamole-lite
 * writes code points: they disagree exactly when an element holds an astral
 * character, and a desktop controls some elements (its name, error texts).
 * Replacing astral characters with U+FFFD makes both read the same.
 */
export function bmpOnly(ins: Instruction): string {
  return SURROGATE.test(ins.raw) ? encodeForBrowser(ins.opcode, ...ins.args) : ins.raw;
}

/** encodeInstruction for the browser: astral characters become U+FFFD (see bmpOnly). */
export const encodeForBrowser = (opcode: string, ...args: string[]): string => {
  const safe = (e: string) => e.replace(PAIRS, '\uFFFD');
  return encodeInstruction(safe(opcode), ...args.map(safe));
};

/**
 * An incremental parser: push() text as it arrives, split anywhere (inside a
 * length, an element, a surrogate pair), and get every instruction it
 * completes. After one error it stays failed: the connection must close.
 */
export function createGuacParser(limits: GuacLimits) {
  const maxDigits = String(limits.maxElementLength).length;
  let buf = ''; // from the start of the unfinished instruction
  let at = 0; // next unread index in buf
  let lengthStart = 0;
  let contentStart = -1; // -1 while a length prefix is read
  let remaining = 0; // code points of the current element still to read
  let elements: string[] = [];
  let failed: GuacProtocolError | null = null;

  /** Reads a length prefix; false when more text is needed. */
  const readLength = (): boolean => {
    for (; at < buf.length; at++) {
      const c = buf.charCodeAt(at);
      if (c === 0x2e) break;
      if (c < 0x30 || c > 0x39) throw new GuacProtocolError(`bad length ${JSON.stringify(buf.slice(lengthStart, at + 1).slice(0, 16))}`);
      if (at - lengthStart >= maxDigits) throw new GuacProtocolError(`element longer than ${limits.maxElementLength}`);
    }
    if (at >= buf.length) return false;
    if (at === lengthStart) throw new GuacProtocolError('empty length');
    remaining = Number(buf.slice(lengthStart, at));
    if (remaining > limits.maxElementLength) throw new GuacProtocolError(`element longer than ${limits.maxElementLength}`);
    if (elements.length >= limits.maxElements) throw new GuacProtocolError(`more than ${limits.maxElements} elements`);
    contentStart = ++at;
    return true;
  };

  /** Reads `remaining` code points of content; false when more text is needed. */
  const readContent = (): boolean => {
    // Fast path: no surrogates in reach, so units are code points.
    const window = buf.slice(at, at + remaining);
    if (!SURROGATE.test(window)) {
      at += window.length;
      remaining -= window.length;
    }
    while (remaining > 0 && at < buf.length) {
      const c = buf.charCodeAt(at);
      if (c >= 0xdc00 && c <= 0xdfff) throw new GuacProtocolError('lone surrogate');
      if (c >= 0xd800 && c <= 0xdbff) {
        if (at + 1 >= buf.length) return false; // the low half is in the next chunk
        const d = buf.charCodeAt(at + 1);
        if (d < 0xdc00 || d > 0xdfff) throw new GuacProtocolError('lone surrogate');
        at += 2;
      } else at++;
      remaining--;
    }
    return remaining === 0 && at < buf.length;
  };

  const parse = (out: Instruction[]) => {
    let start = 0;
    for (;;) {
      if (contentStart < 0 && !readLength()) break;
      if (!readContent()) break;
      const term = buf.charCodeAt(at);
      if (term !== 0x2c && term !== 0x3b) throw new GuacProtocolError(`bad terminator ${JSON.stringify(buf[at])}`);
      elements.push(buf.slice(contentStart, at));
      contentStart = -1;
      lengthStart = ++at;
      if (term === 0x3b) {
        if (at - start > limits.maxInstructionLength) throw new GuacProtocolError(`instruction longer than ${limits.maxInstructionLength}`);
        const [opcode = '', ...args] = elements;
        out.push({ opcode, args, raw: buf.slice(start, at) });
        elements = [];
        start = at;
      }
    }
    // Keep only the unfinished instruction, and not without bound.
    buf = buf.slice(start);
    at -= start;
    lengthStart -= start;
    if (contentStart >= 0) contentStart -= start;
    if (buf.length > limits.maxInstructionLength) throw new GuacProtocolError(`instruction longer than ${limits.maxInstructionLength}`);
  };

  return {
    push(chunk: string): Instruction[] {
      if (failed) throw failed;
      buf += chunk;
      const out: Instruction[] = [];
      try {
        parse(out);
      } catch (e) {
        failed = e instanceof GuacProtocolError ? e : new GuacProtocolError(String(e));
        throw failed;
      }
      return out;
    },
    /** True between instructions (nothing buffered). */
    get idle() {
      return buf.length === 0;
    },
  };
}

export type GuacParser = ReturnType<typeof createGuacParser>;

/** A text that must hold whole instructions only (what a gate already passed). */
export function parseComplete(text: string, limits: GuacLimits): Instruction[] {
  const parser = createGuacParser(limits);
  const out = parser.push(text);
  if (!parser.idle) throw new GuacProtocolError('incomplete instruction');
  return out;
}
