/**
 * Helpers the live display uses around one guacamole-common-js client:
 * tunnel statistics (round trip, bandwidth), clipboard streams, scaling and
 * pointer modes. `G` is the Guacamole namespace, loaded lazily by the caller.
 */

export type PointerMode = 'mouse' | 'touchpad' | 'touchscreen';

export interface TunnelStats {
  /** Last measured round trip browser → tunnel → browser, ms (null until the first answer). */
  rttMs: number | null;
  /** Received over the tunnel during the last second, kilobits per second. */
  kbps: number;
  /** Frames (sync instructions) in the last second. */
  fps: number;
}

/**
 * Counts what arrives on the tunnel and probes the round trip: an internal
 * `genos-rtt` instruction the GenOS tunnel echoes back as a normal one.
 * Wraps `tunnel.oninstruction`, so call it after `new Guacamole.Client(tunnel)`.
 */
export function measureTunnel(G: any, tunnel: any, onStats: (s: TunnelStats) => void): () => void {
  const inner = tunnel.oninstruction;
  let bytes = 0;
  let frames = 0;
  let rttMs: number | null = null;
  tunnel.oninstruction = (opcode: string, args: string[]) => {
    let n = opcode.length + String(opcode.length).length + 2;
    for (const a of args) n += a.length + String(a.length).length + 2;
    bytes += n;
    if (opcode === 'genos-rtt') {
      const sent = Number(args[0]);
      if (Number.isFinite(sent)) rttMs = Math.max(0, Math.round(performance.now() - sent));
      return;
    }
    if (opcode === 'sync') frames++;
    inner?.(opcode, args);
  };
  const probe = () => {
    try {
      tunnel.sendMessage(G.Tunnel.INTERNAL_DATA_OPCODE, 'genos-rtt', performance.now().toFixed(1));
    } catch {
      // the tunnel is closing
    }
  };
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const secs = (now - last) / 1000;
    last = now;
    onStats({ rttMs, kbps: Math.round((bytes * 8) / 1000 / secs), fps: Math.round(frames / secs) });
    bytes = 0;
    frames = 0;
    probe();
  }, 1000);
  probe();
  return () => clearInterval(timer);
}

/** Reads a clipboard stream from the desktop as text (non-text mimetypes are ignored). */
export function receiveClipboard(G: any, stream: any, mimetype: string, onText: (text: string) => void) {
  if (!/^text\//.test(mimetype)) {
    stream.sendAck?.('unsupported', 0x0100);
    return;
  }
  const reader = new G.StringReader(stream);
  let text = '';
  reader.ontext = (t: string) => (text += t);
  reader.onend = () => onText(text);
}

/** Sends text to the desktop's clipboard (x11vnc sets the X selection from it). */
export function sendClipboard(G: any, client: any, text: string) {
  const stream = client.createClipboardStream('text/plain');
  const writer = new G.StringWriter(stream);
  writer.sendText(text);
  writer.sendEnd();
}

/**
 * Attaches mouse, touchpad (relative, like a laptop's) or touchscreen
 * (absolute: a tap clicks where it lands) input. Coordinates are divided by
 * the display's scale (sendMouseState's second argument).
 */
export function attachPointer(G: any, client: any, el: HTMLElement, mode: PointerMode): () => void {
  const device =
    mode === 'touchpad' ? new G.Mouse.Touchpad(el) : mode === 'touchscreen' ? new G.Mouse.Touchscreen(el) : new G.Mouse(el);
  const send = (state: any) => client.sendMouseState(state, true);
  device.onmousedown = device.onmouseup = device.onmousemove = send;
  return () => {
    device.onmousedown = device.onmouseup = device.onmousemove = null;
  };
}

/**
 * The scale that fits a remote screen of `w`×`h` into the space available:
 * never larger than 1 in the page (crisp pixels), up to the whole screen in fullscreen.
 */
export function fitScale(w: number, h: number, availW: number, availH: number, allowUpscale: boolean): number {
  if (!w || !h || availW <= 0 || availH <= 0) return 1;
  const s = Math.min(availW / w, availH / h);
  return allowUpscale ? s : Math.min(1, s);
}

/** 1 s, 2 s, 3 s … at most 5 s between reconnect attempts. */
export const reconnectDelay = (attempt: number) => Math.min(5000, 1000 * attempt);

/** tRPC codes after which retrying cannot help: the desktop is gone, suspended, or not ours. */
export function isFinalTokenError(e: unknown): boolean {
  const code = (e as { data?: { code?: string } } | null)?.data?.code;
  return code === 'CONFLICT' || code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHORIZED';
}
