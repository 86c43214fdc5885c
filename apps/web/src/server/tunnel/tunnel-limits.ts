import type { WebSocket } from 'ws';
import { BROWSER_LIMITS, createGuacParser, encodeInstruction, GUACD_LIMITS, type GuacLimits } from './guac-parser';
import { closeMalformed, messageText } from './malformed';

/**
 * What one display connection may cost. A hostile (or broken) browser that
 * goes past a limit loses its own connection, with a Guacamole `error` saying
 * why and a log line; the desktop and its other viewers carry on.
 */
export interface TunnelLimits {
  /** Instructions per second a browser may send, sustained (a token bucket)… */
  instructionsPerSecond: number;
  /** …and at once (the bucket's size). */
  instructionBurst: number;
  /** Bytes in one websocket message (one instruction is bounded by the parser: BROWSER_LIMITS). */
  maxMessageBytes: number;
  /** Open connections per signed-in user (their own desktops, collaborate links, observing). */
  maxConnectionsPerUser: number;
  /** Open connections per share link (anonymous viewers included). */
  maxConnectionsPerShareLink: number;
  /**
   * A connection on which nothing happened for this long is closed: no input
   * from the viewer reached the desktop and the desktop drew nothing (sync and
   * keep-alives do not count). A view-only viewer never sends input, so a
   * picture that changes keeps it open. 0: never.
   */
  idleMs: number;
}

export const DEFAULT_TUNNEL_LIMITS: TunnelLimits = {
  instructionsPerSecond: 2000,
  instructionBurst: 4000,
  maxMessageBytes: 64 * 1024,
  maxConnectionsPerUser: 8,
  maxConnectionsPerShareLink: 5,
  idleMs: 30 * 60_000,
};

/** guacamole-common-js's Guacamole.Status.Code values the tunnel sends. */
export const GUAC_STATUS = {
  SESSION_TIMEOUT: 0x020a,
  CLIENT_FORBIDDEN: 0x0303,
  CLIENT_OVERRUN: 0x030d,
  CLIENT_TOO_MANY: 0x031d,
} as const;

/** Why the tunnel ends a connection: what the browser reads (Guacamole status and message) and the websocket close code. */
export interface TunnelEnd {
  status: number;
  message: string;
  closeCode: number;
}

/** Connections being ended: whatever their browser still sends goes nowhere. */
const ending = new WeakSet<WebSocket>();

/**
 * Ends one connection: a Guacamole `error` instruction (the browser's
 * Guacamole.Client reports it through onerror and stops), then the websocket
 * close, whose reason is kept to what the protocol allows (123 bytes).
 */
export function endConnection(ws: WebSocket, end: TunnelEnd): void {
  if (ws.readyState !== ws.OPEN) return;
  ending.add(ws);
  try {
    ws.send(encodeInstruction('error', end.message, String(end.status)));
  } catch {
    // the socket went away meanwhile: closing below is all there is to do
  }
  ws.close(end.closeCode, end.message.slice(0, 120));
  // A browser that does not answer the close in a second is cut off (and guacd with it).
  const timer = setTimeout(() => ws.terminate(), 1000);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}

/** A token bucket: `take(n)` is false once more than `burst` instructions arrive faster than `perSecond`. */
export function createInstructionBudget(opts: { perSecond: number; burst: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  let tokens = opts.burst;
  let at = now();
  return {
    take(n: number): boolean {
      const t = now();
      tokens = Math.min(opts.burst, tokens + ((t - at) / 1000) * opts.perSecond);
      at = t;
      if (n > tokens) return false;
      tokens -= n;
      return true;
    },
  };
}

/** Opcodes that are not the picture changing: frame syncs and keep-alives. */
const KEEP_ALIVE_FROM_GUACD = new Set(['sync', 'nop']);
/** Display acknowledgements, stream acks, keep-alives and the tunnel's own probes (opcode ''): not a viewer doing something. */
const QUIET_FROM_BROWSER = new Set(['sync', 'nop', 'ack', 'disconnect', '']);

/**
 * The opcodes of a whole message, read with the gates' own parser (no second
 * splitter); null when it does not parse (which the gates have closed the
 * connection for already, or which counts as activity here).
 */
function opcodesOf(message: string, limits: GuacLimits): string[] | null {
  try {
    return createGuacParser(limits).push(message).map((i) => i.opcode);
  } catch {
    return null;
  }
}

/** Whether a message from guacd changes the picture (or carries anything beyond sync and keep-alives). */
export const isDisplayActivity = (message: string) => !(opcodesOf(message, GUACD_LIMITS)?.every((o) => KEEP_ALIVE_FROM_GUACD.has(o)) ?? false);
/** Whether a message from the browser that reached guacd is the viewer doing something (input, clipboard, size…). */
export const isViewerActivity = (message: string) => !(opcodesOf(message, BROWSER_LIMITS)?.every((o) => QUIET_FROM_BROWSER.has(o)) ?? false);

const text = (data: unknown): string =>
  typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data as Buffer[]).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
const byteLength = (data: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? (data as Buffer[]).reduce((s, b) => s + b.length, 0) : (data as ArrayBuffer).byteLength;

/**
 * Installs the per-connection limits on a freshly upgraded socket. Call it
 * after the other gates: wrapping `emit` last, it sees the browser's raw
 * messages first, so nothing over a limit is parsed, filtered or forwarded.
 * The idle clock reads what actually passed the gates (a listener added
 * here, before guacamole-lite's) and what guacd sent.
 */
export function applyTunnelLimits(ws: WebSocket, limits: TunnelLimits, opts: { log?: (m: string) => void; label: string; now?: () => number }): void {
  const now = opts.now ?? Date.now;
  const budget = createInstructionBudget({ perSecond: limits.instructionsPerSecond, burst: limits.instructionBurst, now });
  // Counts with the gates' own parser (guac-parser.ts): what is counted is what they will see.
  const parser = createGuacParser(BROWSER_LIMITS);
  let ended = false;
  const violate = (reason: string, end: TunnelEnd) => {
    if (ended) return;
    ended = true;
    opts.log?.(`tunnel: closing ${opts.label}: ${reason}`);
    endConnection(ws, end);
  };

  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message') return emit(event, ...args);
    if (ended || ending.has(ws)) return true;
    const bytes = byteLength(args[0]);
    if (bytes > limits.maxMessageBytes) {
      violate(`a ${bytes}-byte message (at most ${limits.maxMessageBytes})`, { status: GUAC_STATUS.CLIENT_OVERRUN, message: 'The display connection was closed: the browser sent a message that is too large.', closeCode: 1009 });
      return true;
    }
    let n: number;
    try {
      n = parser.push(messageText(args)).length;
    } catch (e) {
      ended = true;
      closeMalformed(ws, opts.label, e, opts.log);
      return true;
    }
    if (n > 0 && !budget.take(n)) {
      violate(`more than ${limits.instructionsPerSecond} instructions per second (burst ${limits.instructionBurst})`, {
        status: GUAC_STATUS.CLIENT_TOO_MANY,
        message: 'The display connection was closed: the browser sent too many instructions.',
        closeCode: 1008,
      });
      return true;
    }
    return emit(event, ...args);
  }) as typeof ws.emit;

  if (limits.idleMs > 0) {
    let last = now();
    ws.on('message', (data: unknown) => {
      if (isViewerActivity(text(data))) last = now();
    });
    const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
    ws.send = ((data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' ? isDisplayActivity(data) : true) last = now();
      send(data, ...rest);
    }) as typeof ws.send;
    const timer = setInterval(() => {
      if (now() - last < limits.idleMs) return;
      violate(`idle for ${Math.round((now() - last) / 1000)} s`, { status: GUAC_STATUS.SESSION_TIMEOUT, message: 'The display connection was closed after a long time without activity.', closeCode: 1000 });
    }, Math.min(60_000, Math.max(250, Math.floor(limits.idleMs / 4))));
    timer.unref();
    ws.once('close', () => clearInterval(timer));
  }
}
