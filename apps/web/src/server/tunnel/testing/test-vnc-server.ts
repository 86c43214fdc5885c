/**
 * A VNC server for tests (never imported by the app): RFB 3.8, no
 * authentication, a blank screen. It records every input event and clipboard
 * text guacd delivers, exactly as a desktop would receive them, and plays a
 * hostile desktop: it chooses its desktop name's bytes (guacd passes them on
 * as `name`) and sends clipboard bytes of its own (ServerCutText). A desktop
 * user can put such a server behind the display socket, so this is what the
 * tunnel must withstand from the desktop side.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type RfbEvent = { type: 'key'; down: boolean; keysym: number } | { type: 'pointer'; mask: number; x: number; y: number } | { type: 'cut'; text: string };

export interface RfbSession {
  /** Input and clipboard guacd sent, in order (clipboard text as Latin-1, RFB's charset). */
  events: RfbEvent[];
  /** Resolves once guacd asked for the first frame (its VNC client is up). */
  ready: Promise<void>;
  /** Resolves when guacd hangs up. */
  closed: Promise<void>;
  isClosed(): boolean;
  /** The desktop's clipboard changed: ServerCutText with these bytes. */
  sendCutText(bytes: Buffer): void;
}

/**
 * `socketPath`: listen there (guacd opens unix sockets itself, and a jailed
 * guacd reaches nothing else); `guacdGid` gets the socket, 0770, as the
 * worker's pinned sockets do. Without a path: loopback TCP.
 */
export async function startTestVnc(opts: { name?: Buffer; width?: number; height?: number; socketPath?: string; guacdGid?: number | null } = {}) {
  const sessions: RfbSession[] = [];
  const sockets = new Set<net.Socket>();
  const name = opts.name ?? Buffer.from('test desktop');
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let stage: 'version' | 'security' | 'init' | 'messages' = 'version';
    let gone = false;
    let markReady!: () => void;
    let markClosed!: () => void;
    const session: RfbSession = {
      events: [],
      ready: new Promise<void>((r) => (markReady = r)),
      closed: new Promise<void>((r) => (markClosed = r)),
      isClosed: () => gone,
      sendCutText: (bytes) => {
        const head = Buffer.alloc(8);
        head.writeUInt8(3, 0);
        head.writeUInt32BE(bytes.length, 4);
        sock.write(Buffer.concat([head, bytes]));
      },
    };
    sessions.push(session);
    sock.on('close', () => {
      gone = true;
      sockets.delete(sock);
      markClosed();
    });
    sock.write('RFB 003.008\n');
    /** Bytes of the client message at the head of buf, 0 when incomplete, -1 when unknown. */
    const messageLength = (): number => {
      if (buf.length < 1) return 0;
      const need = (n: number) => (buf.length >= n ? n : 0);
      switch (buf[0]) {
        case 0: return need(20); // SetPixelFormat
        case 2: return buf.length < 4 ? 0 : need(4 + 4 * buf.readUInt16BE(2)); // SetEncodings
        case 3: return need(10); // FramebufferUpdateRequest
        case 4: return need(8); // KeyEvent
        case 5: return need(6); // PointerEvent
        case 6: return buf.length < 8 ? 0 : need(8 + buf.readUInt32BE(4)); // ClientCutText
        default: return -1;
      }
    };
    sock.on('data', (data) => {
      buf = Buffer.concat([buf, data]);
      for (;;) {
        if (stage === 'version') {
          if (buf.length < 12) return;
          buf = buf.subarray(12);
          sock.write(Buffer.from([1, 1])); // one security type: None
          stage = 'security';
        } else if (stage === 'security') {
          if (buf.length < 1) return;
          buf = buf.subarray(1);
          sock.write(Buffer.alloc(4)); // SecurityResult OK
          stage = 'init';
        } else if (stage === 'init') {
          if (buf.length < 1) return;
          buf = buf.subarray(1);
          const init = Buffer.alloc(24);
          init.writeUInt16BE(opts.width ?? 640, 0);
          init.writeUInt16BE(opts.height ?? 480, 2);
          // 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0.
          Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
          init.writeUInt32BE(name.length, 20);
          sock.write(Buffer.concat([init, name]));
          stage = 'messages';
        } else {
          const n = messageLength();
          if (n === 0) return;
          if (n < 0) {
            sock.destroy(); // a message this server does not speak: guacd was not asked for it
            return;
          }
          const m = buf.subarray(0, n);
          buf = buf.subarray(n);
          if (m[0] === 3) markReady();
          else if (m[0] === 4) session.events.push({ type: 'key', down: m[1] === 1, keysym: m.readUInt32BE(4) });
          else if (m[0] === 5) session.events.push({ type: 'pointer', mask: m[1]!, x: m.readUInt16BE(2), y: m.readUInt16BE(4) });
          else if (m[0] === 6) session.events.push({ type: 'cut', text: m.subarray(8).toString('latin1') });
        }
      }
    });
  });
  if (opts.socketPath) {
    await new Promise<void>((r) => server.listen(opts.socketPath, r));
    if (opts.guacdGid !== null && opts.guacdGid !== undefined) await fs.chown(opts.socketPath, 0, opts.guacdGid);
    await fs.chmod(opts.socketPath, opts.guacdGid === null || opts.guacdGid === undefined ? 0o777 : 0o770);
  } else await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    /** Where guacd connects: `hostname` and `port` settings (a socket path takes port 0). */
    address: opts.socketPath ? { host: opts.socketPath, port: 0 } : { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    sessions,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

export type TestVnc = Awaited<ReturnType<typeof startTestVnc>>;
