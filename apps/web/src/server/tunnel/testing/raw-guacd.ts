/**
 * A bare Guacamole connection to a real guacd for tests (never imported by
 * the app): the handshake guacamole-lite does, then exactly the bytes a test
 * writes, with no gate in between. guacd is told nothing about read-only, so
 * whatever input it reads reaches the VNC server.
 */
import net from 'node:net';
import { createGuacParser, encodeInstruction, GUACD_LIMITS } from '../guac-parser';
import { createGuacdDecoder } from '../guacd-reader';

export async function openGuacd(opts: { guacd?: { host: string; port: number }; vnc: { host: string; port: number }; settings?: Record<string, string> }) {
  const sock = net.connect(opts.guacd?.port ?? 4822, opts.guacd?.host ?? '127.0.0.1');
  const decoder = createGuacdDecoder();
  const parser = createGuacParser(GUACD_LIMITS);
  const received: string[][] = [];
  let gone = false;
  let up!: () => void;
  const ready = new Promise<void>((r) => (up = r));
  let hangUp!: () => void;
  const closed = new Promise<void>((r) => (hangUp = r));
  sock.on('close', () => {
    gone = true;
    hangUp();
  });
  const settings: Record<string, string> = { hostname: opts.vnc.host, port: String(opts.vnc.port), ...opts.settings };
  sock.on('error', () => undefined);
  sock.on('connect', () => sock.write(encodeInstruction('select', 'vnc')));
  sock.on('data', (data: Buffer) => {
    for (const ins of parser.push(decoder.write(data))) {
      received.push([ins.opcode, ...ins.args]);
      if (ins.opcode === 'args') {
        const version = ins.args[0]?.startsWith('VERSION_') ? ['VERSION_1_1_0'] : [];
        const values = ins.args.slice(version.length).map((a) => settings[a] ?? '');
        sock.write(encodeInstruction('size', '640', '480', '96') + encodeInstruction('audio') + encodeInstruction('video') + encodeInstruction('image', 'image/png'));
        if (version.length) sock.write(encodeInstruction('timezone', 'UTC'));
        sock.write(encodeInstruction('connect', ...version, ...values));
      }
      // guacd sizes the screen once its VNC client is up: input sent before then would be dropped.
      if (ins.opcode === 'size') up();
      // guacd 1.3 says `disconnect` after a parse error (its relay may keep the socket open a while).
      if (ins.opcode === 'disconnect' || ins.opcode === 'error') {
        gone = true;
        hangUp();
      }
      if (ins.opcode === 'sync') sock.write(encodeInstruction('sync', ins.args[0] ?? '0'));
    }
  });
  return {
    received,
    ready,
    closed,
    isClosed: () => gone,
    /** Exactly these bytes (UTF-8), as guacamole-lite writes a browser message. */
    send: (text: string) => sock.write(Buffer.from(text, 'utf8')),
    close: () => sock.destroy(),
  };
}
