import net from 'node:net';

/**
 * A minimal Guacamole-protocol client: handshakes with guacd for a VNC
 * endpoint and reports when the first drawing instruction arrives. Used by
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

export function probeGuacd(opts: {
  guacd: { host: string; port: number };
  vnc: { host: string; port: number; password?: string };
  width?: number;
  height?: number;
  timeoutMs?: number;
}): Promise<GuacdProbeResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const sock = net.connect(opts.guacd.port, opts.guacd.host);
    let buf = '';
    let readyMs = -1;
    const timer = setTimeout(() => fail(new Error(`no frame from guacd within ${opts.timeoutMs ?? 15000} ms`)), opts.timeoutMs ?? 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(encode('select', 'vnc')));
    sock.on('error', fail);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const { instructions, rest } = parseInstructions(buf);
      buf = rest;
      for (const [op, ...args] of instructions) {
        if (op === 'args') {
          const values: Record<string, string> = { hostname: opts.vnc.host, port: String(opts.vnc.port), password: opts.vnc.password ?? '' };
          sock.write(encode('size', String(opts.width ?? 1280), String(opts.height ?? 800), '96'));
          sock.write(encode('audio'));
          sock.write(encode('video'));
          sock.write(encode('image', 'image/png', 'image/jpeg'));
          // The first arg of guacd >= 1.1 is the protocol version; echo it back.
          sock.write(encode('connect', ...args.map((name) => (name.startsWith('VERSION_') ? name : (values[name] ?? '')))));
        } else if (op === 'ready') {
          readyMs = performance.now() - t0;
        } else if (op === 'img' || op === 'png') {
          clearTimeout(timer);
          sock.destroy();
          resolve({ readyMs, firstImgMs: performance.now() - t0 });
          return;
        } else if (op === 'error') {
          fail(new Error(`guacd error: ${args.join(' ')}`));
          return;
        }
      }
    });
  });
}
