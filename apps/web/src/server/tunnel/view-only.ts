import type { WebSocket } from 'ws';

/**
 * Server-side input gate for view-only share connections. guacd already gets
 * `read-only: true`, but the tunnel does not trust that alone: every message
 * from a view-only browser is parsed and only instructions that cannot act on
 * the desktop pass (display acknowledgements, keep-alives, disconnect). Keys,
 * mouse, touch, clipboard, file and pipe streams, resizes and anything unknown
 * are dropped here and never reach guacd. Malformed input closes the socket.
 */
export const VIEW_ONLY_ALLOWED = new Set(['sync', 'nop', 'disconnect', 'ack', '']);

/** Splits `data` into whole instructions (raw text each) and an unfinished tail. Lengths are UTF-16 code units, as guacamole-common-js counts them. */
export function splitInstructions(data: string): { instructions: { opcode: string; raw: string }[]; rest: string } {
  const instructions: { opcode: string; raw: string }[] = [];
  let start = 0;
  let pos = 0;
  let opcode: string | null = null;
  while (pos < data.length) {
    const dot = data.indexOf('.', pos);
    if (dot === -1) break;
    const lenText = data.slice(pos, dot);
    if (!/^\d{1,9}$/.test(lenText)) throw new Error('malformed Guacamole instruction');
    const end = dot + 1 + Number(lenText);
    if (end >= data.length) break;
    if (opcode === null) opcode = data.slice(dot + 1, end);
    const term = data[end];
    pos = end + 1;
    if (term === ';') {
      instructions.push({ opcode, raw: data.slice(start, pos) });
      opcode = null;
      start = pos;
    } else if (term !== ',') {
      throw new Error('malformed Guacamole instruction');
    }
  }
  return { instructions, rest: data.slice(start) };
}

/** Keeps what a view-only client may send; `dropped` counts the rest. */
export function createViewOnlyGate() {
  let rest = '';
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    /** The part of `chunk` allowed through ('' when nothing is). Throws on malformed input. */
    filter(chunk: string): string {
      const parsed = splitInstructions(rest + chunk);
      rest = parsed.rest;
      // An unfinished instruction may not grow without bound.
      if (rest.length > 64 * 1024) throw new Error('instruction too long');
      let out = '';
      for (const ins of parsed.instructions) {
        if (VIEW_ONLY_ALLOWED.has(ins.opcode)) out += ins.raw;
        else dropped++;
      }
      return out;
    },
  };
}

/**
 * Installs the gate on a freshly upgraded socket, before guacamole-lite (or
 * anything else) adds its 'message' listeners: they only ever see what passed.
 */
export function restrictToViewOnly(ws: WebSocket, log?: (m: string) => void) {
  const gate = createViewOnlyGate();
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message') return emit(event, ...args);
    const [data, isBinary] = args as [Buffer | ArrayBuffer | Buffer[], boolean];
    if (isBinary) return true; // Guacamole is text; a binary frame is never input we allow.
    let passed: string;
    try {
      passed = gate.filter(Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
    } catch (e) {
      log?.(`view-only client sent malformed data, closing: ${e instanceof Error ? e.message : String(e)}`);
      ws.close(1008, 'malformed');
      return true;
    }
    return passed ? emit('message', Buffer.from(passed, 'utf8'), false) : true;
  }) as typeof ws.emit;
  return gate;
}
