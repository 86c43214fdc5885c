import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, encryptTunnelToken } from '@genos/core';
import { createTestDatabase, freshTestState, listenForGuacd, type GuacdSocket, type TestDatabase } from '@genos/db/testing';
import { attachTunnel } from './attach-tunnel';

// A viewer that vanishes (closed tab, lost network) must not leave guacd's connection process
// behind: guacd 1.3's processes inherit each other's sockets, so one that is merely dropped never
// learns its user left, blocks writing the next frame and stops reading the desktop (which then
// stalls for everyone). Real guacd; the desktop is a small VNC server here that streams frames.
const KEY = 'g'.repeat(32);
const W = 320;
const H = 200;
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let base = '';
let ownerId = '';
let envId = '';
// guacd is contained (its own network namespace): it reaches the fake desktop through a socket path, like a real one.
const state = await freshTestState('goodbye');
let display: GuacdSocket;
const viewers: { sock: net.Socket; closed: boolean }[] = [];

/** RFB 3.8, no authentication, a 32-bit true-colour screen; then a full-screen raw update every 33 ms. */
function fakeDesktop(sock: net.Socket) {
  const viewer = { sock, closed: false };
  viewers.push(viewer);
  sock.on('error', () => undefined).on('close', () => (viewer.closed = true));
  let stage = 0;
  let timer: NodeJS.Timeout | undefined;
  sock.write('RFB 003.008\n');
  sock.on('data', () => {
    if (stage === 0) sock.write(Buffer.from([1, 1])); // one security type: None
    else if (stage === 1) sock.write(Buffer.alloc(4)); // security result: OK
    else if (stage === 2) {
      const init = Buffer.alloc(24 + 4);
      init.writeUInt16BE(W, 0);
      init.writeUInt16BE(H, 2);
      Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
      init.writeUInt32BE(4, 20);
      init.write('fake', 24);
      sock.write(init);
      timer = setInterval(() => {
        if (sock.destroyed || sock.writableNeedDrain) return; // a viewer that stopped reading gets nothing more
        const head = Buffer.alloc(16);
        head.writeUInt16BE(1, 2); // one rectangle
        head.writeUInt16BE(W, 8);
        head.writeUInt16BE(H, 10); // at 0,0, raw encoding (0)
        sock.write(Buffer.concat([head, randomBytes(W * H * 4)]));
      }, 33);
      sock.once('close', () => clearInterval(timer));
    }
    stage++;
  });
}

const token = () =>
  encryptTunnelToken(
    {
      connection: { type: 'vnc', settings: { hostname: display.path, port: '0', width: W, height: H } },
      genos: { environmentId: envId, userId: ownerId, exp: Date.now() + 60_000, purpose: 'control', jti: randomUUID() },
    },
    KEY,
  );

/** Opens a tunnel and resolves once images arrive; counts the images it receives. */
async function view(): Promise<{ ws: WebSocket; images: () => number }> {
  const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token())}`);
  ws.on('error', () => undefined);
  let images = 0;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no image within 15 s')), 15_000);
    ws.on('message', (d) => {
      const s = d.toString();
      images += s.split('3.img,').length - 1;
      // Answer frames like a browser, so guacd never waits on this viewer.
      for (const m of s.matchAll(/(?:^|;)4\.sync,(\d+)\.(\d+)/g)) ws.send(`4.sync,${m[2]!.length}.${m[2]};`);
      if (images > 0) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return { ws, images: () => images };
}

const within = async (ms: number, ok: () => boolean) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return ok();
};

beforeAll(async () => {
  display = await listenForGuacd(state.stateDir, 'fake-desktop', fakeDesktop);
  db = await createTestDatabase();
  ownerId = (await db.prisma.user.create({ data: { email: 'goodbye@genos.test' } })).id;
  envId = (await db.prisma.environment.create({ data: { name: 'd', spec: DEFAULT_SPEC as never, ownerId, state: 'running', displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } } })).id;
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const v of viewers) v.sock.destroy();
  await display?.close();
  tunnel?.close();
  server?.close();
  await db?.drop();
  await state.remove();
});

describe('a viewer that vanishes', () => {
  it('ends its guacd connection (and its hold on the desktop) while another viewer keeps watching', async () => {
    const first = await view();
    const second = await view(); // guacd forks the second connection while the first is alive
    expect(viewers).toHaveLength(2);
    first.ws.terminate(); // no goodbye from the browser: the tab is simply gone
    expect(await within(8000, () => viewers[0]!.closed)).toBe(true);
    const before = second.images();
    expect(await within(3000, () => second.images() > before + 10)).toBe(true);
    expect(viewers[1]!.closed).toBe(false);
    second.ws.close();
  }, 60_000);
});
