import type { WebSocket } from 'ws';
import { bmpOnly, BROWSER_LIMITS, createGuacParser, encodeForBrowser, GUACD_LIMITS, parseComplete } from './guac-parser';
import { createClipboardGate, type StreamingPolicy } from './clipboard-filter';
import { closeMalformed, messageText } from './malformed';

export interface GuardOptions {
  policy: StreamingPolicy;
  environmentId: string;
  log?: (m: string) => void;
  /** The browser window's size (`size`): guacd 1.3 cannot pass it on to a VNC desktop. */
  onSize?: (width: number, height: number) => void;
}

/**
 * Sits between the browser's websocket and guacamole-lite, both ways, reading
 * every instruction with the tunnel's parser (guac-parser.ts):
 * - from the browser: clipboard streams the team forbids are dropped (the
 *   browser's UI only mirrors this), the tunnel's internal keep-alive pings
 *   are answered here instead of reaching guacd, `genos-rtt` probes are
 *   echoed so the client can show its round-trip time, and `size` goes to
 *   `onSize`;
 * - to the browser: forbidden clipboard streams are dropped, and astral
 *   characters become U+FFFD (bmpOnly: the browser's parser counts UTF-16
 *   units, so only then does it see the instructions this gate saw).
 * Malformed input either way closes this connection, logged.
 */
export function guardTunnel(ws: WebSocket, opts: GuardOptions): void {
  const paste = createClipboardGate(opts.policy.allowPaste);
  const copy = createClipboardGate(opts.policy.allowCopy);
  const fromBrowser = createGuacParser(BROWSER_LIMITS);
  const toBrowser = createGuacParser(GUACD_LIMITS);
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
  let closed = false;
  let logged = 0;
  const fail = (from: string, e: unknown) => {
    if (!closed) closeMalformed(ws, from, e, opts.log);
    closed = true;
  };

  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message') return emit(event, ...args);
    if (closed) return true;
    let out = '';
    try {
      for (const ins of fromBrowser.push(messageText(args))) {
        if (ins.opcode === '') {
          if (ins.args[0] === 'ping') send(bmpOnly(ins));
          else if (ins.args[0] === 'genos-rtt') send(encodeForBrowser('genos-rtt', ...ins.args.slice(1)));
          continue; // internal instructions are the tunnel's own, never guacd's
        }
        if (ins.opcode === 'size') opts.onSize?.(Number(ins.args[0]), Number(ins.args[1]));
        if (paste.pass(ins)) out += ins.raw;
      }
    } catch (e) {
      fail('browser', e);
      return true;
    }
    if (paste.dropped > logged) {
      logged = paste.dropped;
      opts.log?.(`tunnel: dropped a clipboard paste into ${opts.environmentId} (team policy)`);
    }
    return out ? emit('message', out, false) : true;
  }) as typeof ws.emit;

  ws.send = ((data: unknown, ...rest: unknown[]) => {
    const done = rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined;
    let out = '';
    try {
      if (!closed) for (const ins of toBrowser.push(String(data))) if (copy.pass(ins)) out += bmpOnly(ins);
    } catch (e) {
      fail('guacd', e);
    }
    if (out) send(out, ...rest);
    else done?.();
  }) as typeof ws.send;
}

const USER_INPUT = new Set(['key', 'mouse', 'touch']);

/** Whether text a gate passed (whole instructions) carries keyboard, mouse or touch input: the idle policy's activity. */
export function carriesUserInput(text: string): boolean {
  try {
    return parseComplete(text, BROWSER_LIMITS).some((i) => USER_INPUT.has(i.opcode));
  } catch {
    return false; // the gates pass whole instructions only; activity is never worth a thrown listener
  }
}
