import type { Socket } from 'node:net';
import { AppError } from '@genos/core';
import { connectGuacd, type GuacdHop } from '@genos/db/remote-hops';
import { createGuacParser, encodeInstruction, GUACD_LIMITS, GuacProtocolError } from '../../tunnel/guac-parser';
import { createGuacdDecoder } from '../../tunnel/guacd-reader';
import { GuacFramebuffer } from './guac-framebuffer';
import { SUPPORTED_IMAGE_TYPES } from './image-codec';

/**
 * One Guacamole client connection to guacd for one desktop, made the way the
 * browser's is (through guacamole-lite): so guacd and the desktop treat the
 * program as one more viewer, its pointer and keys reach the desktop by the
 * same path a person's do, and the shared view and recordings show them.
 */

export interface ConnectionSettings {
  type: 'vnc' | 'rdp';
  settings: Record<string, string | number | boolean>;
}

export interface DesktopConnectionOptions {
  hop: GuacdHop;
  connection: ConnectionSettings;
  width: number;
  height: number;
  /** Until the first frame is on screen. */
  timeoutMs?: number;
  /** Where screen versions continue from (see GuacFramebuffer). */
  startVersion?: number;
}

/** guacamole-common-js pings this often; guacd drops a user it has not heard from in 15 s. */
const KEEPALIVE_MS = 5000;
/** guacd 1.3 refuses elements over 8192 characters; base64 blobs stay well under (guacamole-common-js uses 6 KiB). */
const CLIPBOARD_BLOB = 6144;
/** Text the desktop may put on the clipboard (guacd 1.3's own clipboard holds 256 KiB). */
const MAX_CLIPBOARD = 1024 * 1024;

export class DesktopConnection {
  readonly framebuffer: GuacFramebuffer;
  private socket: Socket;
  private _closed = false;
  private closeReason: string | null = null;
  private closeListeners = new Set<(reason: string) => void>();
  private keepalive: NodeJS.Timeout;
  private nextStream = 0;
  private incomingClipboard = new Map<string, { mimetype: string; chunks: string[]; size: number }>();
  private clipboard = '';
  private pointer = { x: 0, y: 0 };
  private lastMask = 0;
  /** Mouse buttons the program holds down (Guacamole's mask: 1 left, 2 middle, 4 right). */
  buttons = 0;
  /** When a button last changed (performance.now()): keys typed right after a click wait for the focus it gives. */
  lastButtonAt = -Infinity;

  private constructor(private readonly opts: DesktopConnectionOptions) {
    this.framebuffer = new GuacFramebuffer(opts.startVersion ?? 0);
    const { socket, readyEvent } = connectGuacd(opts.hop);
    this.socket = socket;
    this.pointer = { x: Math.floor(opts.width / 2), y: Math.floor(opts.height / 2) };
    socket.once(readyEvent, () => this.write('select', opts.connection.type));
    socket.on('error', (e) => this.end(`guacd connection failed: ${e.message}`));
    socket.on('close', () => this.end('guacd closed the connection'));
    const decoder = createGuacdDecoder();
    const parser = createGuacParser(GUACD_LIMITS);
    socket.on('data', (data: Buffer) => {
      if (this._closed) return;
      try {
        for (const ins of parser.push(decoder.write(data))) {
          this.onInstruction(ins.opcode, ins.args);
          if (this._closed) return;
        }
      } catch (e) {
        this.end(e instanceof GuacProtocolError ? `guacd sent malformed Guacamole: ${e.reason}` : `engine failed on guacd's data: ${(e as Error).message}`);
        this.close();
      }
    });
    this.keepalive = setInterval(() => this.write('nop'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Opens a connection and resolves once the desktop's first frame is drawn (input sent earlier would be dropped). */
  static open(opts: DesktopConnectionOptions): Promise<DesktopConnection> {
    const conn = new DesktopConnection(opts);
    const timeoutMs = opts.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const done = (err?: AppError) => {
        clearTimeout(timer);
        stopFrame();
        stopClose();
        if (err) {
          conn.close();
          reject(err);
        } else resolve(conn);
      };
      const timer = setTimeout(() => done(new AppError('UNAVAILABLE', `the desktop's display did not show a frame within ${timeoutMs} ms`)), timeoutMs);
      const stopFrame = conn.framebuffer.onChange(() => conn.framebuffer.ready && done());
      const stopClose = conn.onClose((reason) => done(new AppError('UNAVAILABLE', `cannot reach the desktop's display: ${reason}`)));
    });
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Why the connection ended (null while open). */
  get endedBecause(): string | null {
    return this.closeReason;
  }

  onClose(f: (reason: string) => void): () => void {
    this.closeListeners.add(f);
    return () => this.closeListeners.delete(f);
  }

  private write(opcode: string, ...args: string[]) {
    if (this._closed || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(encodeInstruction(opcode, ...args));
  }

  private onInstruction(opcode: string, args: string[]) {
    if (this.framebuffer.handle(opcode, args)) return;
    switch (opcode) {
      case 'args':
        return this.handshake(args);
      case 'sync':
        // At once, as guacamole-common-js does: guacd holds frames back from a user who lags, and drops one who never answers.
        return this.write('sync', args[0] ?? '0');
      case 'mouse':
        // Another user's pointer (guacd tells each viewer where the others' is): the desktop's pointer is there now.
        this.pointer = { x: Number(args[0]) || 0, y: Number(args[1]) || 0 };
        return;
      case 'clipboard':
        this.incomingClipboard.set(args[0] ?? '', { mimetype: args[1] ?? '', chunks: [], size: 0 });
        return;
      case 'blob':
        return this.clipboardBlob(args[0] ?? '', args[1] ?? '');
      case 'end':
        return this.clipboardEnd(args[0] ?? '');
      case 'error':
        // guacd says why before it hangs up (a refused password, an unreachable desktop).
        this.end(`guacd: ${args[0] ?? 'error'} (status ${args[1] ?? '?'})`);
        this.close();
        return;
      case 'disconnect':
        this.end('guacd disconnected');
        this.close();
        return;
      default:
        return; // ready, name, cursor, nop, ack, audio, …: nothing a program needs
    }
  }

  /** Answers guacd's `args` with the settings, as guacamole-lite 1.2 does for the browser (protocol 1.1.0). */
  private handshake(names: string[]) {
    const { connection, width, height } = this.opts;
    const values = Object.fromEntries(Object.entries(connection.settings).map(([k, v]) => [k, String(v)]));
    this.write('size', String(width), String(height), String(values.dpi ?? 96));
    this.write('audio');
    this.write('video');
    this.write('image', ...SUPPORTED_IMAGE_TYPES);
    this.write('connect', ...names.map((name) => (name.startsWith('VERSION_') ? 'VERSION_1_1_0' : (values[name] ?? ''))));
  }

  private clipboardBlob(stream: string, data: string) {
    const s = this.incomingClipboard.get(stream);
    if (!s) return;
    s.size += data.length;
    if (s.size <= (MAX_CLIPBOARD * 4) / 3 + 4) s.chunks.push(data);
    this.write('ack', stream, 'OK', '0');
  }

  private clipboardEnd(stream: string) {
    const s = this.incomingClipboard.get(stream);
    if (!s) return;
    this.incomingClipboard.delete(stream);
    if (!s.mimetype.startsWith('text/')) return;
    this.clipboard = Buffer.from(s.chunks.join(''), 'base64').toString('utf8');
  }

  /** The pointer: where this connection last put it, or where guacd last said another viewer did. */
  cursor(): { x: number; y: number } {
    return { ...this.pointer };
  }

  /** The desktop's clipboard as last seen: what it sent, or what this connection set. */
  clipboardText(): string {
    return this.clipboard;
  }

  mouse(x: number, y: number, mask: number) {
    if (mask !== this.lastMask) this.lastButtonAt = performance.now();
    this.lastMask = mask;
    this.pointer = { x, y };
    this.write('mouse', String(x), String(y), String(mask));
  }

  key(keysym: number, pressed: boolean) {
    this.write('key', String(keysym), pressed ? '1' : '0');
  }

  /** Puts text on the desktop's clipboard: a `clipboard` stream, as the browser sends a paste. */
  setClipboard(text: string) {
    const stream = String(this.nextStream++ % 1024);
    this.write('clipboard', stream, 'text/plain');
    const data = Buffer.from(text, 'utf8').toString('base64');
    for (let i = 0; i < data.length; i += CLIPBOARD_BLOB) this.write('blob', stream, data.slice(i, i + CLIPBOARD_BLOB));
    this.write('end', stream);
    this.clipboard = text;
  }

  /** Resolves once everything written so far has left for guacd. */
  flush(): Promise<void> {
    if (this._closed || this.socket.destroyed) return Promise.reject(new AppError('UNAVAILABLE', `the desktop's display connection closed: ${this.closeReason ?? 'closed'}`));
    return new Promise((resolve, reject) => this.socket.write('', (e) => (e ? reject(new AppError('UNAVAILABLE', `cannot send to the desktop's display: ${e.message}`)) : resolve())));
  }

  private end(reason: string) {
    if (this._closed) return;
    this._closed = true;
    this.closeReason = reason;
    clearInterval(this.keepalive);
    for (const f of this.closeListeners) f(reason);
    this.closeListeners.clear();
  }

  /**
   * Says goodbye and waits (at most 3 s, reading and discarding) for guacd to
   * hang up: a guacd 1.3 connection that is merely dropped can linger and
   * stall the desktop's VNC server for every other viewer (graceful-guacd-close.ts).
   */
  close() {
    this.end('closed by the engine');
    const sock = this.socket;
    if (sock.destroyed) return;
    sock.removeAllListeners('data');
    sock.on('data', () => undefined);
    sock.on('error', () => sock.destroy());
    if (sock.writable && !sock.connecting) sock.write(encodeInstruction('disconnect'));
    else if (sock.connecting) return void sock.destroy();
    const hangUp = setTimeout(() => sock.destroy(), 3000);
    hangUp.unref();
    sock.once('close', () => clearTimeout(hangUp));
  }
}
