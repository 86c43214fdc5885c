import net from 'node:net';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { codePointLength } from './guac-parser';
import { createGuacdDecoder, readGuacdExactly } from './guacd-reader';

const require = createRequire(import.meta.url);

/** libguac's guac_utf8_charsize and guac_utf8_strlen, ported: how guacd counts an element's characters. */
const charsize = (c: number) => ((c | 0x7f) === 0x7f ? 1 : (c | 0x1f) === 0xdf ? 2 : (c | 0x0f) === 0xef ? 3 : (c | 0x07) === 0xf7 ? 4 : 1);
function guacdStrlen(bytes: Uint8Array): number {
  let length = 0;
  for (let i = 0, skip = 0; i < bytes.length; i++) {
    if (skip > 0) skip--;
    else {
      skip = charsize(bytes[i]!) - 1;
      length++;
    }
  }
  return length;
}
const decodeIn = (pieces: Buffer[]) => {
  const d = createGuacdDecoder();
  return pieces.map((p) => d.write(p)).join('');
};
const b = (...bytes: number[]) => Buffer.from(bytes);

describe('guacd decoder', () => {
  it('reads a character as guacd does: lead byte and its announced tail, U+FFFD when invalid', () => {
    expect(decodeIn([Buffer.from('4.sync,1.1;')])).toBe('4.sync,1.1;');
    expect(decodeIn([Buffer.from('é😀€')])).toBe('é😀€');
    expect(decodeIn([b(0xf0, 0x61, 0x62, 0x63, 0x3b)])).toBe('\uFFFD;'); // Node would read four characters
    expect(decodeIn([b(0x80, 0x3b)])).toBe('\uFFFD;');
    expect(decodeIn([b(0xed, 0xa0, 0x80)])).toBe('\uFFFD'); // an encoded surrogate
    expect(decodeIn([b(0xc0, 0x80)])).toBe('\uFFFD'); // overlong
    expect(decodeIn([b(0xf8, 0x41)])).toBe('\uFFFDA');
  });

  it('waits for a character split between reads', () => {
    const bytes = Buffer.from('a😀bé€;');
    for (let i = 0; i <= bytes.length; i++) expect(decodeIn([bytes.subarray(0, i), bytes.subarray(i)])).toBe('a😀bé€;');
  });

  it('agrees with guac_utf8_strlen on any bytes, however they are split (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uniqueArray(fc.nat(40), { maxLength: 4 }), (bytes, cuts) => {
        const whole = Buffer.from(bytes);
        const at = [0, ...cuts.filter((c) => c <= whole.length).sort((x, y) => x - y), whole.length];
        const split = decodeIn(at.slice(1).map((end, i) => whole.subarray(at[i], end)));
        expect(split).toBe(decodeIn([whole]));
        // A trailing character still missing bytes is not counted by either until it completes.
        let complete = 0;
        for (let i = 0; i < whole.length; i += charsize(whole[i]!)) if (i + charsize(whole[i]!) <= whole.length) complete = i + charsize(whole[i]!);
        expect(codePointLength(split)).toBe(guacdStrlen(whole.subarray(0, complete)));
      }),
      { numRuns: 500, interruptAfterTimeLimit: 2000 },
    );
  });
});

describe('guacamole-lite reading guacd through the tunnel parser', () => {
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  /** A guacd stand-in writing `chunks` once guacamole-lite connects; what guacamole-lite made of them. */
  async function fromGuacd(chunks: Buffer[]) {
    const logs: string[] = [];
    readGuacdExactly((m) => logs.push(m));
    const server = net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', async () => {
        for (const c of chunks) {
          sock.write(c);
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const GuacdClient = require('guacamole-lite/lib/GuacdClient.js') as new (...a: unknown[]) => NodeJS.EventEmitter & { processInstruction(o: string, p: string[]): void; close(): void };
    const logger = { log: () => undefined };
    const client = new GuacdClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, 'vnc', {}, logger);
    const seen: string[][] = [];
    client.processInstruction = (opcode, params) => void seen.push([opcode, ...params]);
    const closed = new Promise<Error | undefined>((r) => client.on('close', r));
    client.on('error', () => undefined);
    const error = await Promise.race([closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 300))]);
    client.close();
    return { seen, error, logs };
  }

  it('counts characters as guacd wrote them, even invalid UTF-8 split across reads', async () => {
    // guacd wrote a 3-character name: F0 and the three bytes it announces are one character to guacd.
    const name = Buffer.concat([Buffer.from('4.name,3.'), b(0xf0, 0x3b, 0x31, 0x2e), Buffer.from('😀x;4.sync,1.1;')]);
    const { seen, error } = await fromGuacd([name.subarray(0, 10), name.subarray(10, 19), name.subarray(19)]);
    expect(error).toBe('open');
    expect(seen).toEqual([
      ['name', '\uFFFD😀x'],
      ['sync', '1'],
    ]);
  });

  it('closes that connection, logged, on malformed input (guacamole-lite would have thrown from a socket callback)', async () => {
    const { seen, error, logs } = await fromGuacd([Buffer.from('4.sync,1.1;'), Buffer.from('4.sync,1x.1;')]);
    expect(seen).toEqual([['sync', '1']]);
    expect(error).toBeInstanceOf(Error);
    expect(logs).toEqual(['tunnel: guacd sent malformed Guacamole, closing that connection: bad length "1x"']);
  });
});
