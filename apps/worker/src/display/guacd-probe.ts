import net from 'node:net';
import { tunnelSettingsFor, type DisplayEndpoint } from '@genos/core';

/**
 * A minimal Guacamole-protocol client: handshakes with guacd for a display
 * endpoint (VNC or RDP, with the settings the browser's tunnel token would
 * carry) and reports when the first drawing instruction arrives. Used by
 * health checks, integration tests and the benchmark.
 */
export interface GuacdProbeResult {
  readyMs: number;
  firstImgMs: number;
}

const encode = (...parts: string[]) => parts.map((p) => `${p.length}.${p}`).join(',') + ';';

export function parseInstructions(buffer: string): { instructions: string[][]; rest: string } {
  const instructions: string[][] = [];
  let pos = 0;
  let start = 0;
  let current: string[] = [];
  while (pos < buffer.length) {
    const dot = buffer.indexOf('.', pos);
    if (dot < 0) break;
    const len = parseInt(buffer.slice(pos, dot), 10);
    if (Number.isNaN(len)) throw new Error('malformed guacamole instruction');
    const end = dot + 1 + len;
    if (end >= buffer.length) break;
    current.push(buffer.slice(dot + 1, end));
    const sep = buffer[end];
    pos = end + 1;
    if (sep === ';') {
      instructions.push(current);
      current = [];
      start = pos;
    }
  }
  return { instructions, rest: buffer.slice(start) };
}

export interface GuacdSessionOptions {
  guacd: { host: string; port: number };
  display: Pick<DisplayEndpoint, 'host' | 'port' | 'password' | 'username'> & { protocol?: DisplayEndpoint['protocol'] };
  width?: number;
  height?: number;
  timeoutMs?: number;
}

/** A live guacd session: input goes in with send(), frames keep arriving (each sync is answered). */
export interface GuacdSession extends GuacdProbeResult {
  send(...parts: string[]): void;
  /** Drawing instructions (img) received so far. */
  images(): number;
  /** The remote screen's size as guacd last announced it (layer 0), or null before it did. */
  screenSize(): { width: number; height: number } | null;
  close(): void;
}

/** First frame, then closes: the health check. */
export async function probeGuacd(opts: GuacdSessionOptions): Promise<GuacdProbeResult> {
  const session = await openGuacdSession(opts);
  session.close();
  return { readyMs: session.readyMs, firstImgMs: session.firstImgMs };
}

/** Connects the way the browser's tunnel does and resolves at the first drawing instruction. */
export function openGuacdSession(opts: GuacdSessionOptions): Promise<GuacdSession> {
  const t0 = performance.now();
  const { type, settings } = tunnelSettingsFor({ protocol: 'vnc', ...opts.display }, { width: opts.width ?? 1280, height: opts.height ?? 800 });
  return new Promise((resolve, reject) => {
    const sock = net.connect(opts.guacd.port, opts.guacd.host);
    let buf = '';
    let readyMs = -1;
    let images = 0;
    let screen: { width: number; height: number } | null = null;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`no frame from guacd within ${opts.timeoutMs ?? 15000} ms`)), opts.timeoutMs ?? 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (!settled) reject(e);
      settled = true;
    };
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(encode('select', type)));
    sock.on('error', fail);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const { instructions, rest } = parseInstructions(buf);
      buf = rest;
      for (const [op, ...args] of instructions) {
        if (op === 'args') {
          const values = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
          sock.write(encode('size', String(opts.width ?? 1280), String(opts.height ?? 800), '96'));
          sock.write(encode('audio'));
          sock.write(encode('video'));
          sock.write(encode('image', 'image/png', 'image/jpeg'));
          // The first arg of guacd >= 1.1 is the protocol version; echo it back.
          sock.write(encode('connect', ...args.map((name) => (name.startsWith('VERSION_') ? name : (values[name] ?? '')))));
        } else if (op === 'size' && args[0] === '0') {
          screen = { width: Number(args[1]), height: Number(args[2]) };
        } else if (op === 'ready') {
          readyMs = performance.now() - t0;
        } else if (op === 'sync') {
          // Answer at once, like guacamole-common-js, so guacd never waits for a slow client.
          if (!sock.destroyed) sock.write(encode('sync', args[0] ?? '0'));
        } else if (op === 'img' || op === 'png') {
          images++;
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            const firstImgMs = performance.now() - t0;
            resolve({
              readyMs,
              firstImgMs,
              send: (...parts) => void (sock.destroyed || sock.write(encode(...parts))),
              images: () => images,
              screenSize: () => screen,
              close: () => {
                if (sock.destroyed) return;
                // A goodbye, as the web tunnel says it (graceful-guacd-close.ts): a guacd 1.3 connection
                // that is merely dropped can linger and stall the desktop for the next viewer.
                sock.write(encode('disconnect'));
                const hangUp = setTimeout(() => sock.destroy(), 3000);
                hangUp.unref();
                sock.once('close', () => clearTimeout(hangUp));
              },
            });
          }
        } else if (op === 'error') {
          fail(new Error(`guacd error: ${args.join(' ')}`));
          return;
        }
      }
    });
  });
}
