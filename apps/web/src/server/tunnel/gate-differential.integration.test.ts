import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
// The real-desktop part starts a desktop container; the web app itself never talks to Docker.
// eslint-disable-next-line no-restricted-imports -- test harness only
import Dockerode from 'dockerode';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, encryptTunnelToken, type TunnelClaims } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { ensurePassablePath } from '@genos/db/state-dir';
import { createTestDatabase, freshTestState, type TestDatabase } from '@genos/db/testing';
import { attachTunnel } from './attach-tunnel';
import { BROWSER_LIMITS, encodeInstruction as ins, GUACD_LIMITS } from './guac-parser';
import { guardTunnel } from './tunnel-guard';
import { restrictToViewOnly } from './view-only';
import { browserParse, encodeUtf16, referenceParse, smuggleAfterNop, smuggleInName } from './testing/guac-reference';
import { openGuacd } from './testing/raw-guacd';
import { startTestVnc, type RfbEvent, type TestVnc } from './testing/test-vnc-server';

// The gates against the real guacd 1.3: the same bytes go to guacd with no
// gate, and through the gates; a test VNC server (testing/test-vnc-server.ts)
// records what guacd delivers to the desktop. guacd must read exactly what
// the reference parser reads, and nothing a gate passes may reach the desktop
// as input (view-only) or clipboard (paste forbidden). The desktop side plays
// hostile: its clipboard and name are crafted to look like instructions.
const KEY = 'g'.repeat(32);
const state = await freshTestState('gate-diff');
const guacdGid = (() => {
  try {
    return Number(execFileSync('id', ['-g', 'genos-guacd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null; // no guacd user on this host: the socket is opened to everyone
  }
})();
const MARK = 0x1234; // a keysym nothing else sends: once the desktop has it, guacd read everything before it
const secret = Buffer.from('touch /tmp/smuggled').toString('base64');
const clip = (s: string, data = secret) => ins('clipboard', s, 'text/plain') + ins('blob', s, data) + ins('end', s);
const keyPress = ins('key', '65', '1') + ins('key', '65', '0');
let vncCount = 0;
const vncs: TestVnc[] = [];
const newVnc = async (name?: Buffer) => {
  const dir = await ensurePassablePath(state.stateDir, 'vnc');
  const vnc = await startTestVnc({ socketPath: path.join(dir, `${vncCount++}.sock`), guacdGid, name });
  vncs.push(vnc);
  return vnc;
};

async function until(ok: () => boolean, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** What the desktop receives when guacd reads `text` (no gate, not read-only); whether guacd gave up on it. */
async function throughGuacd(vnc: TestVnc, text: string, expected: 'complete' | 'refused' | 'unfinished') {
  const g = await openGuacd({ vnc: vnc.address });
  const session = () => vnc.sessions.at(-1)!;
  expect(await until(() => vnc.sessions.length > 0 && g.received.some((i) => i[0] === 'size'))).toBe(true);
  const rfb = session();
  g.send(text);
  // A marker after a complete text says when guacd has read all of it; a refused one, guacd giving up; an unfinished one, time.
  if (expected === 'complete') g.send(ins('key', String(MARK), '1'));
  const done = () => rfb.isClosed() || g.isClosed() || rfb.events.some((e) => e.type === 'key' && e.keysym === MARK);
  if (expected === 'unfinished') await new Promise((r) => setTimeout(r, 700));
  else await until(done);
  g.close();
  return { events: rfb.events.filter((e) => !(e.type === 'key' && e.keysym === MARK)), closed: rfb.isClosed() || g.isClosed() };
}

/** The desktop events the reference reading of `text` predicts: keys, pointer and clipboard streams (text/plain, Latin-1 on RFB). */
function predictedEvents(text: string): RfbEvent[] {
  const out: RfbEvent[] = [];
  const clips = new Map<string, string>();
  for (const i of referenceParse(text, BROWSER_LIMITS).instructions) {
    if (i.opcode === 'key') out.push({ type: 'key', down: i.args[1] === '1', keysym: Number(i.args[0]) });
    else if (i.opcode === 'mouse') out.push({ type: 'pointer', mask: Number(i.args[2]), x: Number(i.args[0]), y: Number(i.args[1]) });
    else if (i.opcode === 'clipboard') clips.set(i.args[0]!, '');
    else if (i.opcode === 'blob' && clips.has(i.args[0]!)) clips.set(i.args[0]!, clips.get(i.args[0]!) + Buffer.from(i.args[1]!, 'base64').toString('latin1'));
    else if (i.opcode === 'end' && clips.has(i.args[0]!)) {
      out.push({ type: 'cut', text: clips.get(i.args[0]!)! });
      clips.delete(i.args[0]!);
    }
  }
  return out;
}

/** What the tunnel's gates pass of `pieces` (websocket messages), as guacamole-lite would hand it to guacd. */
function gated(pieces: string[], opts: { viewOnly: boolean; allowPaste: boolean }) {
  const ws = Object.assign(new EventEmitter(), { send: () => undefined, close: () => undefined, terminate: () => undefined }) as unknown as WebSocket;
  if (opts.viewOnly) restrictToViewOnly(ws);
  guardTunnel(ws, { policy: { allowCopy: true, allowPaste: opts.allowPaste }, environmentId: 'e' });
  let passed = '';
  ws.on('message', (d: unknown) => (passed += String(d)));
  for (const p of pieces) ws.emit('message', Buffer.from(p), false);
  return passed;
}

describe('the reference parser and the gates against the real guacd (fast-check)', () => {
  // Opcodes guacd acts on only through the pieces below; the rest it ignores, whatever their arguments.
  const char = fc.oneof(fc.constantFrom('a', '0', '9', '.', ',', ';', '😀', '𝔊', 'e\u0301', 'שלום', '\u200D', 'é'), fc.fullUnicode());
  const text = fc.array(char, { maxLength: 6 }).map((c) => c.join(''));
  const harmless = fc.tuple(fc.constantFrom('nop', 'genos-x', '😀'), fc.array(text, { maxLength: 3 })).map(([op, args]) => ins(op, ...args));
  const piece = fc.oneof(
    { weight: 3, arbitrary: harmless },
    { weight: 2, arbitrary: fc.constantFrom(keyPress, ins('mouse', '7', '9', '0'), clip('4')) },
    { weight: 3, arbitrary: fc.constantFrom(keyPress, clip('5'), ins('mouse', '3', '4', '1')).map(smuggleAfterNop) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('nop'), fc.array(text, { maxLength: 2 })).map(([op, args]) => encodeUtf16(op, ...args)) },
    { weight: 1, arbitrary: fc.constantFrom('1x.a;', '-1.;', '3.keyX', '4.sync,99999999999.') },
  );
  const messages = fc.array(fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')), { minLength: 1, maxLength: 3 });

  it('guacd reads what the reference reads; what the gates pass reaches the desktop as neither input nor paste', async () => {
    const vnc = await newVnc();
    let runs = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(messages, async (msgs) => {
        runs++;
        const all = msgs.join('');
        const ref = referenceParse(all, BROWSER_LIMITS);
        // guacd, no gate: exactly the reference's events, and it gives up exactly where the reference refuses.
        const raw = await throughGuacd(vnc, all, ref.error ? 'refused' : ref.rest ? 'unfinished' : 'complete');
        expect(raw.events).toEqual(predictedEvents(all));
        expect(raw.closed).toBe(ref.error);
        // Through the view-only gates: nothing.
        const viewOnly = await throughGuacd(vnc, gated(msgs, { viewOnly: true, allowPaste: true }), 'complete');
        expect(viewOnly).toEqual({ events: [], closed: false });
        // Through the paste gate: input yes, clipboard never.
        const noPaste = await throughGuacd(vnc, gated(msgs, { viewOnly: false, allowPaste: false }), 'complete');
        expect(noPaste.closed).toBe(false);
        expect(noPaste.events.filter((e) => e.type === 'cut')).toEqual([]);
      }),
      { numRuns: 12, interruptAfterTimeLimit: 60_000 },
    );
    console.log(`gate differential against guacd: ${runs} cases, ${vnc.sessions.length} guacd sessions, ${Date.now() - started} ms`);
  });
});

describe('through the tunnel, against the real guacd', () => {
  let db: TestDatabase;
  let server: http.Server;
  let tunnel: { close(): void };
  let base = '';
  let ownerId = '';
  let adminId = '';
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ownerId = (await db.prisma.user.create({ data: { email: 'gates@genos.test' } })).id;
    adminId = (await db.prisma.user.create({ data: { email: 'gates-admin@genos.test', role: 'admin' } })).id;
    server = http.createServer((_q, s) => s.end());
    const store = createPrismaStore({ prisma: db.prisma, enqueue: async () => null });
    tunnel = attachTunnel({ server, prisma: db.prisma, key: KEY, guacd: { host: '127.0.0.1', port: 4822 }, store, log: (m) => logs.push(m) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tunnel?.close();
    server?.close();
    await db?.drop();
  });

  type Target = Pick<TestVnc, 'address'> & { sessions?: TestVnc['sessions'] };
  async function desktop(vnc: Target, policy: { allowCopy: boolean; allowPaste: boolean } | null) {
    const team = policy ? await db.prisma.team.create({ data: { name: 't', slug: `t-${randomUUID()}`, ...policy } }) : null;
    const endpoint = { protocol: 'vnc', ...vnc.address };
    return db.prisma.environment.create({ data: { name: 'd', spec: DEFAULT_SPEC as never, ownerId, teamId: team?.id ?? null, state: 'running', displayEndpoint: endpoint } });
  }

  /** A browser on the tunnel: what it receives (one entry per message), how it closed, and (test VNC server) its RFB session. */
  async function browserOn(vnc: Target, envId: string, genos: Partial<TunnelClaims> = {}) {
    const token = encryptTunnelToken(
      {
        connection: { type: 'vnc', settings: { hostname: vnc.address.host, port: String(vnc.address.port) } },
        genos: { environmentId: envId, userId: ownerId, exp: Date.now() + 60_000, purpose: 'control', jti: randomUUID(), ...genos },
      },
      KEY,
    );
    const sessions = vnc.sessions ?? [];
    const before = sessions.length;
    const ws = new WebSocket(`${base}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
    const messages: string[] = [];
    const end = { code: 0 };
    ws.on('message', (d) => {
      const m = d.toString();
      messages.push(m);
      for (const s of m.matchAll(/4\.sync,(\d+)\.(\d+);/g)) ws.send(ins('sync', s[2]!));
    });
    ws.on('close', (code) => (end.code = code));
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    expect(await until(() => (!vnc.sessions || sessions.length > before) && messages.some((m) => m.startsWith('4.size,')), 20_000)).toBe(true);
    return { ws, messages, end, rfb: sessions.at(-1)! };
  }
  const browser = browserOn;
  const marked = (rfb: { events: RfbEvent[] }) => until(() => rfb.events.some((e) => e.type === 'key' && e.keysym === MARK));

  it('paste forbidden: a clipboard stream hidden behind astral characters never reaches the desktop; allowed, guacd reads it', async () => {
    const vnc = await newVnc();
    const message = smuggleAfterNop(clip('7'));
    const env = await desktop(vnc, { allowCopy: true, allowPaste: false });
    const forbidden = await browser(vnc, env.id);
    forbidden.ws.send(message);
    forbidden.ws.send(ins('key', String(MARK), '1'));
    expect(await marked(forbidden.rfb)).toBe(true);
    expect(forbidden.rfb.events.filter((e) => e.type === 'cut')).toEqual([]);
    expect(logs).toContain(`tunnel: dropped a clipboard paste into ${env.id} (team policy)`);
    forbidden.ws.close();
    // The same bytes where pasting is allowed: guacd reads the hidden stream (the tunnel read it the same way).
    const allowed = await browser(vnc, (await desktop(vnc, { allowCopy: true, allowPaste: true })).id);
    allowed.ws.send(message);
    allowed.ws.send(ins('key', String(MARK), '1'));
    expect(await marked(allowed.rfb)).toBe(true);
    expect(allowed.rfb.events.filter((e) => e.type === 'cut')).toEqual([{ type: 'cut', text: 'touch /tmp/smuggled' }]);
    allowed.ws.close();
  });

  it('view-only: key presses hidden behind astral characters never reach the desktop', async () => {
    const vnc = await newVnc();
    const env = await desktop(vnc, null);
    const viewer = await browser(vnc, env.id, { userId: adminId, observer: 'admin', readOnly: true, purpose: 'view' });
    viewer.ws.send(smuggleAfterNop(keyPress + ins('mouse', '5', '5', '1')) + ins('nop'));
    // guacd reads in order: once it acted on `disconnect`, it had read everything before.
    viewer.ws.send(ins('disconnect'));
    expect(await until(() => viewer.rfb.isClosed())).toBe(true);
    expect(viewer.rfb.events).toEqual([]);
    // An opcode outside the protocol closes a view-only connection, logged.
    const other = await browser(vnc, env.id, { userId: adminId, observer: 'admin', readOnly: true, purpose: 'view', jti: randomUUID() });
    other.ws.send(ins('exec', 'x'));
    expect(await until(() => other.end.code === 1008)).toBe(true);
    expect(logs.some((l) => /view-only browser sent malformed Guacamole, closing that connection: unknown opcode "exec"/.test(l))).toBe(true);
  });

  it('copy: a hostile desktop\'s clipboard and name reach the browser read exactly as the tunnel read them, and not at all when copying is forbidden', async () => {
    const hidden = clip('3', Buffer.from('leak').toString('base64'));
    const crafted = Buffer.concat([Buffer.from(`x;${hidden}9.clipboard,`, 'latin1'), Buffer.from([0xff, 0x3b])]);
    for (const allowCopy of [false, true]) {
      const vnc = await newVnc(Buffer.from(smuggleInName(hidden)));
      const b = await browser(vnc, (await desktop(vnc, { allowCopy, allowPaste: true })).id);
      b.rfb.sendCutText(crafted);
      b.ws.send(ins('key', String(MARK), '1'));
      expect(await marked(b.rfb)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const seen = b.messages.flatMap((m) => {
        const ref = referenceParse(m, GUACD_LIMITS);
        expect(ref).toMatchObject({ error: false, rest: '' }); // whole instructions only
        expect(browserParse(m)).toEqual(ref.instructions.map(({ opcode, args }) => ({ opcode, args })));
        return ref.instructions;
      });
      const clipboards = seen.filter((i) => i.opcode === 'clipboard');
      if (!allowCopy) {
        expect(clipboards).toEqual([]);
        expect(b.messages.join('')).not.toContain(crafted.toString('base64').slice(0, 12));
      } else {
        expect(clipboards).toHaveLength(1);
        const blob = seen.filter((i) => i.opcode === 'blob' && i.args[0] === clipboards[0]!.args[0]).map((i) => i.args[1]).join('');
        expect(Buffer.from(blob, 'base64').toString('utf8')).toBe(crafted.toString('latin1'));
      }
      b.ws.close();
    }
  });

  describe('a real desktop (x11vnc, an xterm with a shell)', () => {
    const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
    const CONTAINER = `genos-gatetest-${process.pid}`;
    let sock = '';
    const exec = async (cmd: string[]) => {
      const e = await docker.getContainer(CONTAINER).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: '1000' });
      const stream = await e.start({});
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((r) => stream.on('end', r));
      return { code: (await e.inspect()).ExitCode ?? -1, out: Buffer.concat(chunks).toString('latin1') };
    };
    const exists = async (p: string) => (await exec(['test', '-e', p])).code === 0;
    const typed = (text: string) => Array.from(text, (ch) => ins('key', String(ch === '\n' ? 0xff0d : ch.charCodeAt(0)), '1') + ins('key', String(ch === '\n' ? 0xff0d : ch.charCodeAt(0)), '0')).join('');
    const click = (button: number) => ins('mouse', '100', '120', String(button)) + ins('mouse', '100', '120', '0');
    /** The desktop's socket: guacd opens it itself. */
    const real = () => ({ address: { host: sock, port: 0 } });

    beforeAll(async () => {
      const socketDir = await ensurePassablePath(state.stateDir, 'desktop');
      await fs.chown(socketDir, 1000, guacdGid ?? 1000);
      await fs.chmod(socketDir, guacdGid === null ? 0o711 : 0o710);
      await docker.getContainer(CONTAINER).remove({ force: true }).catch(() => undefined);
      const c = await docker.createContainer({
        name: CONTAINER,
        Image: 'genos/desktop-base:1',
        User: '1000:1000',
        Env: ['GENOS_APPS=xterm'],
        Labels: state.labels,
        HostConfig: { Binds: [`${socketDir}:/run/genos/display`], NetworkMode: 'none', CapDrop: ['ALL'], Tmpfs: { '/tmp': 'rw', '/home/genos': 'rw,uid=1000,gid=1000' }, ReadonlyRootfs: true },
      });
      await c.start();
      sock = path.join(socketDir, 'vnc.sock');
      const up = async (ok: () => Promise<boolean>) => {
        for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await ok()) return true;
        return false;
      };
      if (!(await up(() => fs.stat(sock).then(() => true, () => false)))) throw new Error('no vnc.sock');
      // Mapped, not only created: xterm makes its window well before openbox shows it, and keys sent meanwhile go nowhere.
      if (!(await up(async () => (await exec(['sh', '-c', 'DISPLAY=:0 xwininfo -name xterm 2>/dev/null'])).out.includes('IsViewable')))) throw new Error('no xterm window');
      if (guacdGid !== null) await fs.chown(sock, 1000, guacdGid);
      await fs.chmod(sock, guacdGid === null ? 0o777 : 0o770);
    }, 120_000);

    afterAll(async () => {
      await docker.getContainer(CONTAINER).remove({ force: true }).catch(() => undefined);
    });

    /** A browser on the real desktop: waits for its first picture. */
    const open = async (envId: string, genos: Partial<TunnelClaims> = {}) => {
      const b = await browserOn(real(), envId, genos);
      expect(await until(() => b.messages.some((m) => /^3\.img,|^4\.blob,/.test(m)), 20_000)).toBe(true);
      return b;
    };
    const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

    it('view-only: keys hidden behind astral characters type nothing; the owner sending the same bytes does type', async () => {
      const env = await desktop(real(), null);
      const owner = await open(env.id);
      owner.ws.send(click(1)); // the xterm gets the focus
      await settle(700);
      const viewer = await open(env.id, { userId: adminId, observer: 'admin', readOnly: true, purpose: 'view' });
      const smuggled = smuggleAfterNop(typed('touch /tmp/smuggled-key\n'));
      viewer.ws.send(smuggled);
      await settle();
      expect(await exists('/tmp/smuggled-key')).toBe(false);
      // The same message from the owner: guacd reads the hidden keys, and so did the tunnel (it passes an owner's input).
      owner.ws.send(smuggled);
      let found = false;
      for (const end = Date.now() + 15_000; !found && Date.now() < end; await settle(300)) found = await exists('/tmp/smuggled-key');
      expect(found).toBe(true);
      viewer.ws.close();
      owner.ws.close();
    });

    it('paste forbidden: a clipboard stream hidden behind astral characters never reaches the desktop\'s selection; allowed, it does', async () => {
      for (const allowPaste of [false, true]) {
        const file = `/tmp/smuggled-paste-${allowPaste}`;
        const env = await desktop(real(), { allowCopy: true, allowPaste });
        const b = await open(env.id);
        b.ws.send(click(1));
        await settle(700);
        b.ws.send(smuggleAfterNop(clip('9', Buffer.from(`touch ${file}`).toString('base64'))));
        await settle(700);
        // x11vnc puts a paste into PRIMARY: a middle click pastes it into the shell, Return runs it.
        b.ws.send(click(2));
        await settle(500);
        b.ws.send(typed('\n'));
        let found = false;
        for (const end = Date.now() + (allowPaste ? 15_000 : 3000); !found && Date.now() < end; await settle(300)) found = await exists(file);
        expect(found, allowPaste ? 'the control: a paste guacd reads does reach the desktop' : 'forbidden paste').toBe(allowPaste);
        b.ws.close();
      }
    });
  });

  it('malformed input closes only that connection, logged: the desktop and the other viewer carry on', async () => {
    const vnc = await newVnc();
    const env = await desktop(vnc, null);
    const other = await browser(vnc, env.id);
    for (const [bad, reason] of [
      ['4.sync,1x.1;', /bad length "1x"/],
      ['4.sync,-1.;', /bad length "-"/],
      ['4.sync,99999999999.', /element longer than 8192/],
      [ins('blob', '1', 'a'.repeat(8193)), /element longer than 8192/],
      ['4.name,1.😀😀;', /bad terminator/],
      [encodeUtf16('name', '😀') + ins('sync', '1'), /bad terminator "4"/],
    ] as const) {
      const b = await browser(vnc, env.id, { jti: randomUUID() });
      b.ws.send(bad);
      expect(await until(() => b.end.code !== 0), bad).toBe(true);
      expect(b.end.code).toBe(1008);
      expect(await until(() => b.rfb.isClosed()), `${bad}: guacd let go of the desktop`).toBe(true);
      expect(logs.filter((l) => /sent malformed Guacamole, closing that connection: /.test(l)).at(-1)).toMatch(reason);
      // The other viewer still types into the desktop.
      other.ws.send(ins('key', '66', '1'));
      expect(await until(() => other.rfb.events.filter((e) => e.type === 'key' && e.keysym === 66).length > 0)).toBe(true);
      other.rfb.events.length = 0;
    }
    expect(other.end.code).toBe(0);
    other.ws.close();
  });
});

afterAll(async () => {
  for (const v of vncs) v.close();
  await state.remove();
});
