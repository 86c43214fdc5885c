import type { WebSocket } from 'ws';
import { BROWSER_LIMITS, createGuacParser, GuacProtocolError, type Instruction } from './guac-parser';
import { closeMalformed, messageText } from './malformed';

/**
 * Server-side input gate for view-only connections. guacd already gets
 * `read-only: true`, but the tunnel does not trust that alone: every message
 * from a view-only browser is parsed (guac-parser.ts, code points as guacd
 * counts them) and only instructions that cannot act on the desktop pass
 * (display acknowledgements, keep-alives, disconnect). Keys, mouse, touch,
 * clipboard, file and pipe streams and resizes are dropped here and never
 * reach guacd. An opcode the protocol does not define, like malformed input,
 * closes the connection: an allowlist gate does not guess.
 */
export const VIEW_ONLY_ALLOWED = new Set(['sync', 'nop', 'disconnect', 'ack', '']);

/** What a Guacamole client may send (protocol reference, handshake included); the rest is not the protocol. */
export const CLIENT_OPCODES = new Set([
  ...VIEW_ONLY_ALLOWED,
  ...['argv', 'audio', 'blob', 'clipboard', 'connect', 'end', 'file', 'get', 'image', 'key', 'mouse', 'name', 'pipe', 'put', 'select', 'size', 'timezone', 'touch', 'video'],
]);

/** Keeps what a view-only client may send; `dropped` counts the rest. */
export function createViewOnlyGate() {
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    /** True when the instruction may pass. Throws on an unknown opcode. */
    pass(ins: Instruction): boolean {
      if (VIEW_ONLY_ALLOWED.has(ins.opcode)) return true;
      if (!CLIENT_OPCODES.has(ins.opcode)) throw new GuacProtocolError(`unknown opcode ${JSON.stringify(ins.opcode.slice(0, 32))}`);
      dropped++;
      return false;
    },
  };
}

/**
 * Installs the gate on a freshly upgraded socket, before guacamole-lite (or
 * anything else) adds its 'message' listeners: they only ever see what passed.
 */
export function restrictToViewOnly(ws: WebSocket, log?: (m: string) => void) {
  const gate = createViewOnlyGate();
  const parser = createGuacParser(BROWSER_LIMITS);
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  let closed = false;
  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message') return emit(event, ...args);
    if (closed) return true;
    let passed = '';
    try {
      for (const ins of parser.push(messageText(args))) if (gate.pass(ins)) passed += ins.raw;
    } catch (e) {
      closed = true;
      closeMalformed(ws, 'view-only browser', e, log);
      return true;
    }
    return passed ? emit('message', passed, false) : true;
  }) as typeof ws.emit;
  return gate;
}
