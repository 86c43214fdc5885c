import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '@genos/core';
import { createGuacParser, encodeInstruction as ins, GUACD_LIMITS } from '../../tunnel/guac-parser';
import { createDesktopEngine, type ControlTarget, type DesktopEngine } from './index';

// The engine against a stand-in guacd in this process: what it says in the
// handshake, which instructions its input becomes and in what order, and how
// it reads guacd's drawing and clipboard. The real thing is in
// apps/worker/src/control/desktop-engine.integration.test.ts.

interface FakeSession {
  socket: net.Socket;
  received: string[][];
  send(...parts: string[]): void;
}

let server: net.Server;
let sessions: FakeSession[];
let port = 0;
let behaviour: 'desktop' | 'refuse';
let engine: DesktopEngine;

const tile = (w: number, h: number, rgb: [number, number, number]) => {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png).toString('base64');
};

/** One frame drawing a tile at (x, y). */
function frame(s: FakeSession, x: number, y: number, rgb: [number, number, number], stream = '1') {
  s.send('img', stream, '14', '0', 'image/png', String(x), String(y));
  s.send('blob', stream, tile(10, 10, rgb));
  s.send('end', stream);
  s.send('sync', String(Date.now()));
}

beforeEach(async () => {
  sessions = [];
  behaviour = 'desktop';
  server = net.createServer((socket) => {
    const s: FakeSession = { socket, received: [], send: (...p) => void socket.write(ins(...(p as [string, ...string[]]))) };
    sessions.push(s);
    const parser = createGuacParser(GUACD_LIMITS);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      for (const i of parser.push(d.toString())) {
        s.received.push([i.opcode, ...i.args]);
        if (i.opcode === 'select') s.send('args', 'VERSION_1_3_0', 'hostname', 'port', 'password');
        if (i.opcode === 'connect') {
          if (behaviour === 'refuse') {
            s.send('error', 'Aborted. See logs.', '519');
            continue;
          }
          s.send('ready', '$abc');
          s.send('size', '0', '200', '100');
          s.send('sync', '1');
          frame(s, 0, 0, [40, 40, 40]);
        }
        if (i.opcode === 'disconnect') socket.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  engine = createDesktopEngine({ guacd: { kind: 'tcp', host: '127.0.0.1', port }, idleMs: 200, connectTimeoutMs: 2000 });
});

afterEach(async () => {
  engine.closeAll();
  for (const s of sessions) s.socket.destroy();
  await new Promise((r) => server.close(r));
});

const target = (id = 'env1'): ControlTarget => ({ environmentId: id, connection: { type: 'vnc', settings: { hostname: '/d/vnc.sock', port: '0', password: 'pw', dpi: 96 } }, width: 200, height: 100 });
const until = async (ok: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
};
const sent = (s: FakeSession, opcode: string) => s.received.filter((r) => r[0] === opcode).map((r) => r.slice(1));

describe('desktop engine (stand-in guacd)', () => {
  it('handshakes as guacamole-lite does for the browser, and answers every sync', async () => {
    const shot = await engine.screenshot(target(), {});
    expect([shot.width, shot.height]).toEqual([200, 100]);
    const s = sessions[0]!;
    expect(s.received.slice(0, 6)).toEqual([
      ['select', 'vnc'],
      ['size', '200', '100', '96'],
      ['audio'],
      ['video'],
      ['image', 'image/png', 'image/jpeg'],
      ['connect', 'VERSION_1_1_0', '/d/vnc.sock', '0', 'pw'],
    ]);
    s.send('sync', '777');
    expect(await until(() => sent(s, 'sync').some((a) => a[0] === '777'))).toBe(true);
    expect(sent(s, 'sync')[0]).toEqual(['1']);
  });

  it('sends mouse gestures as the browser would, with the pointer position as the cursor', async () => {
    const t = target();
    expect(await engine.mouse(t, { action: 'click', x: 10, y: 20, button: 'right' })).toEqual({ x: 10, y: 20 });
    await engine.mouse(t, { action: 'doubleClick', x: 11, y: 21, button: 'left' });
    await engine.mouse(t, { action: 'scroll', x: 12, y: 22, dy: -2 });
    await engine.mouse(t, { action: 'down', x: 5, y: 5, button: 'middle' });
    await engine.mouse(t, { action: 'move', x: 6, y: 6 });
    await engine.mouse(t, { action: 'up', x: 6, y: 6, button: 'middle' });
    const s = sessions[0]!;
    await until(() => sent(s, 'mouse').length >= 17);
    expect(sent(s, 'mouse')).toEqual([
      ['10', '20', '0'], ['10', '20', '4'], ['10', '20', '0'],
      ['11', '21', '0'], ['11', '21', '1'], ['11', '21', '0'], ['11', '21', '1'], ['11', '21', '0'],
      ['12', '22', '0'], ['12', '22', '8'], ['12', '22', '0'], ['12', '22', '8'], ['12', '22', '0'],
      ['5', '5', '0'], ['5', '5', '2'], ['6', '6', '2'], ['6', '6', '2'], ['6', '6', '0'],
    ]);
    expect(await engine.cursor(t)).toEqual({ x: 6, y: 6 });
    // Another viewer moves the pointer: guacd says so, and that is the cursor now.
    s.send('mouse', '50', '60', '0', '0');
    expect(await until(() => sessions[0]!.received.length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(await engine.cursor(t)).toEqual({ x: 50, y: 60 });
  });

  it('drags with the button held along the way', async () => {
    await engine.mouse(target(), { action: 'drag', x: 0, y: 0, toX: 100, toY: 50, button: 'left' });
    await until(() => sent(sessions[0]!, 'mouse').at(-1)?.[2] === '0' && sent(sessions[0]!, 'mouse').length > 2);
    const moves = sent(sessions[0]!, 'mouse');
    expect(moves[0]).toEqual(['0', '0', '0']);
    expect(moves[1]).toEqual(['0', '0', '1']);
    expect(moves.slice(2, -1).every((m) => m[2] === '1')).toBe(true);
    expect(moves.at(-2)).toEqual(['100', '50', '1']);
    expect(moves.at(-1)).toEqual(['100', '50', '0']);
  });

  it('refuses points off the screen', async () => {
    const err = await engine.mouse(target(), { action: 'move', x: 200, y: 0 }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('VALIDATION');
  });

  it('types text, then presses chords (modifiers released in reverse), and counts keystrokes', async () => {
    expect(await engine.keyboard(target(), { text: 'a\n€', keysyms: [[0xffe3, 0x63]] })).toEqual({ sent: 4 });
    await until(() => sent(sessions[0]!, 'key').length >= 10);
    expect(sent(sessions[0]!, 'key')).toEqual([
      ['97', '1'], ['97', '0'], ['65293', '1'], ['65293', '0'], [String(0x010020ac), '1'], [String(0x010020ac), '0'],
      [String(0xffe3), '1'], ['99', '1'], ['99', '0'], [String(0xffe3), '0'],
    ]);
  });

  it('runs calls for one desktop in arrival order', async () => {
    const t = target();
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? engine.keyboard(t, { text: String.fromCharCode(97 + i) }) : engine.mouse(t, { action: 'move', x: i, y: i }))));
    await until(() => sent(sessions[0]!, 'key').length >= 30 && sent(sessions[0]!, 'mouse').length >= 15);
    const order = sessions[0]!.received.filter((r) => r[0] === 'mouse' || (r[0] === 'key' && r[2] === '1')).map((r) => (r[0] === 'mouse' ? `m${r[1]}` : `k${String.fromCharCode(Number(r[1]))}`));
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => (i % 2 ? `k${String.fromCharCode(97 + i)}` : `m${i}`)));
  });

  it('puts text on the clipboard as a stream, and reads what the desktop sends', async () => {
    const t = target();
    await engine.clipboardSet(t, 'héllo');
    const s = sessions[0]!;
    await until(() => sent(s, 'end').length > 0);
    const clip = sent(s, 'clipboard')[0]!;
    expect(clip[1]).toBe('text/plain');
    expect(sent(s, 'blob').filter((b) => b[0] === clip[0]).map((b) => Buffer.from(b[1]!, 'base64').toString('utf8')).join('')).toBe('héllo');
    expect(sent(s, 'end')).toContainEqual([clip[0]]);
    expect(await engine.clipboardGet(t)).toEqual({ text: 'héllo' });
    s.send('clipboard', '5', 'text/plain');
    s.send('blob', '5', Buffer.from('from the ').toString('base64'));
    s.send('blob', '5', Buffer.from('desktop').toString('base64'));
    s.send('end', '5');
    await until(() => sent(s, 'ack').length >= 2);
    expect(await engine.clipboardGet(t)).toEqual({ text: 'from the desktop' });
    expect(sent(s, 'ack')).toEqual([['5', 'OK', '0'], ['5', 'OK', '0']]);
  });

  it('waitForChange: at once for a change since a version, on the next change, or not at all by the timeout', async () => {
    const t = target();
    const { version } = await engine.screenshot(t, {});
    const s = sessions[0]!;
    frame(s, 50, 50, [200, 0, 0]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 1000 })).toEqual({ changed: true, version: version + 1 });
    expect(await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 10, region: { x: 0, y: 0, width: 20, height: 20 } })).toMatchObject({ changed: false });
    const waiting = engine.waitForChange(t, { timeoutMs: 2000 });
    // The wait does not hold back the desktop's next call.
    await engine.mouse(t, { action: 'move', x: 1, y: 1 });
    setTimeout(() => frame(s, 0, 0, [1, 2, 3], '2'), 50);
    expect(await waiting).toEqual({ changed: true, version: version + 2 });
    const t0 = Date.now();
    expect(await engine.waitForChange(t, { timeoutMs: 150 })).toEqual({ changed: false, version: version + 2 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('closes an idle connection with a goodbye, and reconnects with versions still growing', async () => {
    const t = target();
    const first = await engine.screenshot(t, {});
    expect(await until(() => sent(sessions[0]!, 'disconnect').length === 1, 1000)).toBe(true);
    const second = await engine.screenshot(t, {});
    expect(sessions).toHaveLength(2);
    expect(second.version).toBeGreaterThan(first.version);
  });

  it('opens a new connection when the desktop\'s settings change, and one per desktop', async () => {
    await engine.screenshot(target(), {});
    await engine.screenshot(target('env2'), {});
    expect(sessions).toHaveLength(2);
    await engine.screenshot({ ...target(), connection: { type: 'vnc', settings: { hostname: '/d/other.sock', port: '0' } } }, {});
    expect(sessions).toHaveLength(3);
    expect(await until(() => sent(sessions[0]!, 'disconnect').length === 1)).toBe(true);
  });

  it('fails with UNAVAILABLE when guacd refuses, and tries again on the next call', async () => {
    behaviour = 'refuse';
    const err = await engine.screenshot(target(), {}).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('UNAVAILABLE');
    expect((err as Error).message).toMatch(/Aborted/);
    behaviour = 'desktop';
    expect((await engine.screenshot(target(), {})).width).toBe(200);
  });

  it('fails with UNAVAILABLE when guacd cannot be reached', async () => {
    const nowhere = createDesktopEngine({ guacd: { kind: 'unix', path: '/nonexistent/guacd.sock' } });
    const err = await nowhere.screenshot(target(), {}).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('UNAVAILABLE');
  });
});
