import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, encryptTunnelToken } from '@genos/core';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { attachTunnel } from './attach-tunnel';
import { encodeInstruction as ins, GUACD_LIMITS, parseComplete } from './guac-parser';

// The team's clipboard policy is enforced in the tunnel, in both directions,
// whatever the browser sends. A stand-in guacd (it speaks just enough of the
// handshake) records what reaches it and can send a clipboard of its own.
const KEY = 'c'.repeat(32);
let db: TestDatabase;
let server: http.Server;
let tunnel: { close(): void };
let guacd: net.Server;
let base = '';
let ownerId = '';
const sessions: { received: string; socket: net.Socket }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = (await db.prisma.user.create({ data: { email: 'clip@genos.test' } })).id;
  guacd = net.createServer((socket) => {
    const s = { received: '', socket };
    sessions.push(s);
    socket.on('data', (d) => {
      s.received += d.toString();
      if (/6\.select,/.test(d.toString())) socket.write(ins('args', 'VERSION_1_1_0', 'hostname', 'port', 'password'));
      if (/7\.connect,/.test(d.toString())) socket.write(ins('ready', '$fake'));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => guacd.listen(0, '127.0.0.1', r));
  server = http.createServer((_q, s) => s.end());
  tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: (guacd.address() as AddressInfo).port }, log: (m) => logs.push(m) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tunnel?.close();
  server?.close();
  guacd?.close();
  await db?.drop();
});

async function connect(policy: { allowCopy: boolean; allowPaste: boolean } | null) {
  const team = policy ? await db.prisma.team.create({ data: { name: 't', slug: `t-${randomUUID()}`, ...policy } }) : null;
  const env = await db.prisma.environment.create({
    data: { name: 'd', spec: DEFAULT_SPEC as never, ownerId, teamId: team?.id ?? null, state: 'running', displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } },
  });
  const token = encryptTunnelToken(
    {
      connection: { type: 'vnc', settings: { hostname: '127.0.0.1', port: '1' } },
      genos: { environmentId: env.id, userId: ownerId, exp: Date.now() + 60_000, purpose: 'control', jti: randomUUID() },
    },
    KEY,
  );
  const before = sessions.length;
  const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
  let fromServer = '';
  ws.on('message', (d) => (fromServer += d.toString()));
  ws.on('error', () => undefined);
  await new Promise((r) => ws.once('open', r));
  await until(() => sessions.length > before && fromServer.includes('5.$fake;'));
  return { ws, guacd: sessions[sessions.length - 1]!, received: () => fromServer };
}

async function until(ok: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 300));

const pasteFromBrowser = ins('clipboard', '7', 'text/plain') + ins('blob', '7', Buffer.from('secret-paste').toString('base64')) + ins('end', '7');
const copyFromDesktop = ins('clipboard', '3', 'text/plain') + ins('blob', '3', Buffer.from('secret-copy').toString('base64')) + ins('end', '3');

describe('clipboard policy in the display tunnel', () => {
  it('passes both directions when the team allows them (and without a team)', async () => {
    for (const policy of [null, { allowCopy: true, allowPaste: true }]) {
      const c = await connect(policy);
      c.ws.send(pasteFromBrowser);
      c.guacd.socket.write(copyFromDesktop);
      await until(() => c.guacd.received.includes('12.c2VjcmV0LXBhc3Rl') || c.guacd.received.includes(Buffer.from('secret-paste').toString('base64')));
      await until(() => c.received().includes(Buffer.from('secret-copy').toString('base64')));
      c.ws.terminate();
    }
  });

  it('drops a paste from the browser when the team forbids pasting, and keeps other input flowing', async () => {
    const c = await connect({ allowCopy: true, allowPaste: false });
    c.ws.send(ins('clipboard', '7', 'text/plain'));
    c.ws.send(ins('blob', '7', Buffer.from('secret-paste').toString('base64')));
    c.ws.send(ins('end', '7'));
    c.ws.send(ins('key', '97', '1'));
    await until(() => c.guacd.received.includes('3.key,2.97,1.1;'));
    await settle();
    expect(c.guacd.received).not.toContain('clipboard');
    expect(c.guacd.received).not.toContain(Buffer.from('secret-paste').toString('base64'));
    expect(c.guacd.received).not.toContain('3.end,1.7;');
    // Copying out still works.
    c.guacd.socket.write(copyFromDesktop);
    await until(() => c.received().includes(Buffer.from('secret-copy').toString('base64')));
    expect(logs.some((l) => /dropped a clipboard paste/.test(l))).toBe(true);
    c.ws.terminate();
  });

  it('drops the desktop clipboard when the team forbids copying, and keeps the screen flowing', async () => {
    const c = await connect({ allowCopy: false, allowPaste: true });
    c.guacd.socket.write(copyFromDesktop + ins('sync', '1234'));
    await until(() => c.received().includes('4.sync,4.1234;'));
    await settle();
    const seen = parseComplete(c.received(), GUACD_LIMITS).map((i) => i.opcode);
    expect(seen).not.toContain('clipboard');
    expect(c.received()).not.toContain(Buffer.from('secret-copy').toString('base64'));
    // Pasting in still works.
    c.ws.send(pasteFromBrowser);
    await until(() => c.guacd.received.includes(Buffer.from('secret-paste').toString('base64')));
    c.ws.terminate();
  });

  it('answers keep-alive pings and round-trip probes itself; guacd never sees them', async () => {
    const c = await connect(null);
    c.ws.send(ins('', 'ping', '1700000000000'));
    c.ws.send(ins('', 'genos-rtt', '123.5'));
    await until(() => c.received().includes('0.,4.ping,13.1700000000000;') && c.received().includes('9.genos-rtt,5.123.5;'));
    await settle();
    expect(c.guacd.received).not.toContain('ping');
    expect(c.guacd.received).not.toContain('genos-rtt');
    c.ws.terminate();
  });
});
