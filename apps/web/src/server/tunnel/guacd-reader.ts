import { isAscii, isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { createGuacParser, GUACD_LIMITS, GuacProtocolError } from './guac-parser';

const require = createRequire(import.meta.url);

/**
 * guacd's bytes as guacd counts them. libguac reads and writes a character as
 * its lead byte plus as many following bytes as that lead byte announces
 * (guac_utf8_charsize), valid UTF-8 or not, and a length counts those
 * characters. Node's UTF-8 decoder disagrees on invalid input (F0 followed by
 * "abc" is one character to guacd, four to Node) and turns a character split
 * between two TCP reads into two U+FFFD: either way a desktop that controls
 * some bytes of an element (its VNC desktop name) could shift guacamole-lite's
 * element boundaries. Here each guacd character becomes exactly one code
 * point: itself when valid, U+FFFD when not; a split one waits for its tail.
 */
export function createGuacdDecoder() {
  let pending: Buffer | null = null;
  return {
    write(data: Buffer): string {
      const bytes = pending ? Buffer.concat([pending, data]) : data;
      pending = null;
      if (isAscii(bytes)) return bytes.toString('latin1');
      let out = '';
      let valid = 0; // start of the run of valid characters not yet decoded
      let i = 0;
      while (i < bytes.length) {
        const b = bytes[i]!;
        const size = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
        if (i + size > bytes.length) break;
        if (b >= 0x80 && (size === 1 || !isUtf8(bytes.subarray(i, i + size)))) {
          out += bytes.toString('utf8', valid, i) + '\uFFFD';
          valid = i + size;
        }
        i += size;
      }
      out += bytes.toString('utf8', valid, i);
      if (i < bytes.length) pending = Buffer.from(bytes.subarray(i));
      return out;
    },
  };
}

/** The parts of guacamole-lite's GuacdClient this touches (CommonJS, untyped). */
interface GuacdClientLike {
  state: number;
  STATE_CLOSED: number;
  lastActivity: number;
  guacdConnection: Socket;
  processInstruction(opcode: string, params: string[]): void;
  close(error?: Error): void;
}

let report: ((m: string) => void) | undefined;

/**
 * Makes guacamole-lite read guacd with the tunnel's parser (createGuacParser)
 * and the decoder above instead of its own (`data.toString()` per read, then
 * its vendored parser, which throws from a socket callback on bad input). A
 * malformed instruction from guacd closes that one connection, logged. The
 * last `log` given wins (one tunnel per process).
 */
export function readGuacdExactly(log?: (m: string) => void): void {
  report = log;
  const GuacdClient = require('guacamole-lite/lib/GuacdClient.js') as { prototype: GuacdClientLike & { processConnectionOpen(): void; __genosExact?: true } };
  const proto = GuacdClient.prototype;
  if (proto.__genosExact) return;
  const open = proto.processConnectionOpen;
  // 'connect' fires before any data: swap the reader there (the constructor binds this method).
  proto.processConnectionOpen = function (this: GuacdClientLike) {
    const sock = this.guacdConnection;
    sock.removeAllListeners('data');
    const decoder = createGuacdDecoder();
    const parser = createGuacParser(GUACD_LIMITS);
    sock.on('data', (data: Buffer) => {
      this.lastActivity = Date.now();
      let instructions;
      try {
        instructions = parser.push(decoder.write(data));
      } catch (e) {
        const reason = e instanceof GuacProtocolError ? e.reason : String(e);
        report?.(`tunnel: guacd sent malformed Guacamole, closing that connection: ${reason}`);
        this.close(e instanceof Error ? e : new Error(reason));
        return;
      }
      for (const ins of instructions) {
        if (this.state === this.STATE_CLOSED) return;
        this.processInstruction(ins.opcode, ins.args);
      }
    });
    open.call(this);
  };
  proto.__genosExact = true;
}
