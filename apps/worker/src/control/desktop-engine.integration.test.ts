import Dockerode from 'dockerode';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, isAppError, parseKeys, tunnelSettingsFor, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
// The engine lives in the web app (apps/web/src/server/control/engine); its test is here because
// it makes real desktops with this package's Docker driver, which the web app may not import.
import { createDesktopEngine, type ControlTarget, type DesktopEngine } from '../../../web/src/server/control/engine/index';
import { createDockerDriver } from '../docker/docker-driver';
import { execInContainer } from '../docker/exec-in-container';
import { ensureBaseImage } from '../images/build-base-image';

// The engine against a real container desktop through the real guacd, each
// action checked from inside the desktop: the pointer and buttons with
// XQueryPointer (python3 + libX11: the image has no xdotool), typed keys by
// the file the typed command makes, the clipboard with Tk (wish: no xclip).
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('ctl-engine');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const GUACD = { kind: 'tcp' as const, host: '127.0.0.1', port: 4822 };
const spec = (protocol: 'vnc' | 'rdp'): EnvironmentSpec => ({
  ...DEFAULT_SPEC,
  apps: ['xterm'],
  display: { ...DEFAULT_SPEC.display, width: 1280, height: 800, protocol },
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 1 },
});
const made: { id: string; ref: string }[] = [];
const engines: DesktopEngine[] = [];

afterAll(async () => {
  for (const e of engines) e.closeAll();
  for (const { id, ref } of made) await driver.terminate({ environmentId: id, runtimeRef: ref }).catch(() => undefined);
  await state.remove();
}, 120_000);

async function makeDesktop(protocol: 'vnc' | 'rdp'): Promise<{ ref: string; target: ControlTarget }> {
  await ensureBaseImage({ docker });
  const id = `ctl${protocol}${Date.now().toString(36)}`;
  const { runtimeRef: ref } = await driver.create({ environmentId: id, spec: spec(protocol) });
  made.push({ id, ref });
  await driver.start(ref);
  const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
  // The xterm is up before anything is typed into it.
  // Mapped, not only created: xterm makes its window seconds before openbox shows it, and keys sent meanwhile go nowhere.
  await until(async () => (await x(ref, ['sh', '-c', 'xwininfo -name xterm 2>/dev/null'])).includes('IsViewable'), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  return { ref, target: { environmentId: id, connection: tunnelSettingsFor(endpoint, { width: 1280, height: 800 }), width: 1280, height: 800 } };
}

/** A command on the desktop's X display, as its user; its output. */
const x = async (ref: string, cmd: string[]) => (await execInContainer(docker, ref, ['env', 'DISPLAY=:0', ...cmd])).output;

const POINTER = `
import ctypes as c
x = c.cdll.LoadLibrary('libX11.so.6')
x.XOpenDisplay.restype = c.c_void_p
x.XDefaultRootWindow.restype = c.c_ulong
x.XDefaultRootWindow.argtypes = [c.c_void_p]
d = x.XOpenDisplay(None)
root = x.XDefaultRootWindow(d)
w1, w2 = c.c_ulong(), c.c_ulong()
rx, ry, wx, wy, m = c.c_int(), c.c_int(), c.c_int(), c.c_int(), c.c_uint()
x.XQueryPointer.argtypes = [c.c_void_p, c.c_ulong] + [c.c_void_p] * 7
x.XQueryPointer(d, root, c.byref(w1), c.byref(w2), c.byref(rx), c.byref(ry), c.byref(wx), c.byref(wy), c.byref(m))
print(rx.value, ry.value, m.value)
`;
/** Where X has the pointer, and which buttons it holds (X's mask: Button1 is 256, Button3 1024). */
async function xPointer(ref: string) {
  const [px = -1, py = -1, mask = -1] = (await x(ref, ['python3', '-c', POINTER])).trim().split(/\s+/).map(Number);
  return { x: px, y: py, mask };
}

/** A selection's text as the desktop has it ('' when nobody owns it). */
const xSelection = (ref: string, which: 'CLIPBOARD' | 'PRIMARY') =>
  x(ref, ['sh', '-c', `echo 'wm withdraw .; if {[catch {puts -nonewline [selection get -selection ${which}]}]} {}; exit' | wish`]);

async function until(ok: () => boolean | Promise<boolean>, ms: number, every = 150): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return ok();
}

/** A file's text ('<' and '>' around it keep it apart from docker's stream framing bytes), or null. */
const fileText = async (ref: string, file: string) => {
  const r = await execInContainer(docker, ref, ['sh', '-c', `test -e ${file} && printf '<%s>' "$(cat ${file})"`]);
  return r.exitCode === 0 ? (/<([\s\S]*)>/.exec(r.output)?.[1] ?? null) : null;
};

const pngInfo = (png: Buffer) => {
  const p = PNG.sync.read(png);
  const colours = new Set<number>();
  for (let i = 0; i < p.data.length; i += 4 * 97) colours.add(p.data.readUInt32BE(i));
  return { width: p.width, height: p.height, colours: colours.size };
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Resolves once the screen has not changed for half a second (or after 5 s). */
async function settled(engine: DesktopEngine, t: ControlTarget) {
  for (let i = 0; i < 10; i++) if (!(await engine.waitForChange(t, { timeoutMs: 500 })).changed) return;
}

/** Clicks into the xterm at the top left and types a shell command with Return. */
async function runInXterm(engine: DesktopEngine, t: ControlTarget, command: string) {
  await engine.mouse(t, { action: 'click', x: 200, y: 200, button: 'left' });
  await engine.keyboard(t, { text: command, keysyms: parseKeys('Return') });
}

describe('desktop engine on a container desktop (VNC)', () => {
  let ref = '';
  let t: ControlTarget;
  let engine: DesktopEngine;

  beforeAll(async () => {
    ({ ref, target: t } = await makeDesktop('vnc'));
    engine = createDesktopEngine({ guacd: GUACD });
    engines.push(engine);
  }, 600_000);

  it('takes a screenshot of the whole screen, a region, and scaled', async () => {
    const full = await engine.screenshot(t, {});
    expect([full.width, full.height]).toEqual([1280, 800]);
    const info = pngInfo(full.png);
    expect(info).toMatchObject({ width: 1280, height: 800 });
    expect(info.colours).toBeGreaterThan(3); // the desktop, its bar and the xterm: not one flat colour
    expect(full.version).toBeGreaterThan(0);
    const region = await engine.screenshot(t, { region: { x: 100, y: 50, width: 300, height: 200 } });
    expect([region.width, region.height, pngInfo(region.png).width, pngInfo(region.png).height]).toEqual([300, 200, 300, 200]);
    const scaled = await engine.screenshot(t, { scale: 0.25 });
    expect([scaled.width, scaled.height, pngInfo(scaled.png).width, pngInfo(scaled.png).height]).toEqual([320, 200, 320, 200]);
    const both = await engine.screenshot(t, { region: { x: 0, y: 0, width: 640, height: 400 }, scale: 0.5 });
    expect([both.width, both.height]).toEqual([320, 200]);
  });

  it('moves the pointer where asked, and reports it as the cursor', async () => {
    expect(await engine.mouse(t, { action: 'move', x: 321, y: 456 })).toEqual({ x: 321, y: 456 });
    expect(await until(async () => (await xPointer(ref)).x === 321, 5000)).toBe(true);
    expect(await xPointer(ref)).toMatchObject({ x: 321, y: 456 });
    expect(await engine.cursor(t)).toEqual({ x: 321, y: 456 });
  });

  it('holds and releases buttons (down/up), and drags with the button held', async () => {
    // On the bare desktop (the xterm is at the top left, up to about 950x610): nothing there reacts to the left button.
    await engine.mouse(t, { action: 'down', x: 1100, y: 700, button: 'left' });
    expect(await until(async () => ((await xPointer(ref)).mask & 256) !== 0, 5000)).toBe(true);
    await engine.mouse(t, { action: 'up', x: 1100, y: 700, button: 'left' });
    expect(await until(async () => ((await xPointer(ref)).mask & 256) === 0, 5000)).toBe(true);
    expect(await engine.mouse(t, { action: 'drag', x: 1000, y: 650, toX: 1150, toY: 720, button: 'left' })).toEqual({ x: 1150, y: 720 });
    expect(await until(async () => (await xPointer(ref)).x === 1150, 5000)).toBe(true);
    expect(await xPointer(ref)).toEqual({ x: 1150, y: 720, mask: 0 });
  });

  it('refuses coordinates off the screen', async () => {
    const err = await engine.mouse(t, { action: 'click', x: 1280, y: 10, button: 'left' }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code === 'VALIDATION' && err.message).toMatch(/off the 1280x800 screen/);
  });

  it('types text and key chords into the focused window', async () => {
    // Right after a click that moves the focus to the xterm: no character may go astray.
    await runInXterm(engine, t, 'printf %s "Hello, World_~" > /tmp/typed');
    expect(await until(async () => (await fileText(ref, '/tmp/typed')) !== null, 5000)).toBe(true);
    expect(await fileText(ref, '/tmp/typed')).toBe('Hello, World_~');
    // ctrl+c interrupts the sleep, so the next command runs at once.
    await engine.keyboard(t, { text: 'sleep 600', keysyms: parseKeys('Return') });
    await new Promise((r) => setTimeout(r, 300));
    await engine.keyboard(t, { keysyms: parseKeys('ctrl+c') });
    await engine.keyboard(t, { text: 'touch /tmp/after-ctrl-c\n' });
    expect(await until(async () => (await fileText(ref, '/tmp/after-ctrl-c')) !== null, 5000)).toBe(true);
  });

  it('types Unicode text beyond any keyboard layout (accents, €, CJK)', async () => {
    await runInXterm(engine, t, 'printf %s "Grüße ñ € 日本" > /tmp/unicode');
    expect(await until(async () => (await fileText(ref, '/tmp/unicode')) !== null, 5000)).toBe(true);
    // execInContainer hands back the bytes as latin1: read them as the UTF-8 the file holds.
    expect(Buffer.from((await fileText(ref, '/tmp/unicode'))!, 'latin1').toString('utf8')).toBe('Grüße ñ € 日本');
  });

  it('keeps calls in the order they arrived, even when nobody awaits them one by one', async () => {
    await engine.mouse(t, { action: 'click', x: 200, y: 200, button: 'left' });
    const word = 'ordered0123456789';
    const calls = [engine.keyboard(t, { text: 'echo ' }), ...[...word].map((ch) => engine.keyboard(t, { text: ch })), engine.keyboard(t, { text: ' > /tmp/order\n' })];
    expect((await Promise.all(calls)).reduce((n, r) => n + r.sent, 0)).toBe(5 + word.length + 14);
    expect(await until(async () => (await fileText(ref, '/tmp/order')) !== null, 5000)).toBe(true);
    expect(await fileText(ref, '/tmp/order')).toBe(word);
  });

  it('sets the clipboard inside the desktop (x11vnc keeps a paste in CUT_BUFFER0; xterm pastes it)', async () => {
    await engine.clipboardSet(t, 'set by a program 42');
    expect(await until(async () => (await x(ref, ['xprop', '-root', 'CUT_BUFFER0'])).includes('"set by a program 42"'), 5000)).toBe(true);
    expect(await engine.clipboardGet(t)).toEqual({ text: 'set by a program 42' });
    // And an app really gets it: Shift+Insert into `cat > file` in the xterm.
    await runInXterm(engine, t, 'clear; cat > /tmp/pasted');
    await new Promise((r) => setTimeout(r, 300));
    // xterm fetches what it pastes asynchronously: keys sent at once would overtake it.
    await engine.keyboard(t, { keysyms: parseKeys('shift+Insert') });
    await new Promise((r) => setTimeout(r, 500));
    await engine.keyboard(t, { keysyms: parseKeys('Return ctrl+d') });
    expect(await until(async () => (await fileText(ref, '/tmp/pasted'))?.includes('set by a program 42') ?? false, 5000)).toBe(true);
  });

  it('double-clicks (xterm selects the word under the pointer)', async () => {
    // A word at a known place: clear the screen, then print it on the first line.
    // The marker file says the shell has run `clear` and printed the word; the
    // screen settling after it says xterm has drawn it (on a loaded machine a
    // fixed pause after typing clicked on the old screen).
    await runInXterm(engine, t, 'clear; echo doubleclickme; touch /tmp/dc-shown');
    expect(await until(async () => (await fileText(ref, '/tmp/dc-shown')) !== null, 10_000)).toBe(true);
    await settled(engine, t);
    // xterm's first line starts just inside its window; find the window's origin from X.
    const info = await x(ref, ['sh', '-c', 'xwininfo -root -tree | grep \'"xterm"\' | head -1']);
    const [, left, top] = /\+(\d+)\+(\d+)\s*$/.exec(info.trim()) ?? [];
    await engine.mouse(t, { action: 'doubleClick', x: Number(left) + 30, y: Number(top) + 7, button: 'left' });
    let primary = '';
    await until(async () => (primary = await xSelection(ref, 'PRIMARY')) === 'doubleclickme', 10_000);
    expect(primary, `xterm window at ${info.trim()}`).toBe('doubleclickme');
    // x11vnc passes the new selection on, guacd sends it as a clipboard stream: the program reads it.
    expect(await until(async () => (await engine.clipboardGet(t)).text === 'doubleclickme', 5000)).toBe(true);
  });

  it('reads what the desktop puts on the clipboard (x11vnc polls the CLIPBOARD selection: seconds, not milliseconds)', async () => {
    // Tk owns the selection while it runs: long enough for x11vnc to see it and guacd to pass it on.
    await execInContainer(docker, ref, ['sh', '-c', "echo 'wm withdraw .; clipboard clear; clipboard append {copied inside 7}; after 20000 exit' | DISPLAY=:0 setsid wish >/dev/null 2>&1 &"]);
    expect(await until(async () => (await engine.clipboardGet(t)).text === 'copied inside 7', 15_000)).toBe(true);
  });

  it('waitForChange: changed after typing, not changed on an idle screen (after its timeout), and per region', async () => {
    await engine.mouse(t, { action: 'click', x: 200, y: 200, button: 'left' });
    await new Promise((r) => setTimeout(r, 500));
    const { version } = await engine.screenshot(t, {});
    await engine.keyboard(t, { text: 'x' });
    const changed = await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 5000 });
    expect(changed.changed).toBe(true);
    expect(changed.version).toBeGreaterThan(version);
    await engine.keyboard(t, { keysyms: parseKeys('BackSpace') });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const idle = await engine.waitForChange(t, { timeoutMs: 1500 });
    expect(idle.changed).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    // Typing changes the xterm at the top left, not the bottom right corner.
    const since = (await engine.screenshot(t, {})).version;
    await engine.keyboard(t, { text: 'y' });
    expect(await engine.waitForChange(t, { sinceVersion: since, timeoutMs: 1500, region: { x: 1180, y: 700, width: 100, height: 100 } })).toMatchObject({ changed: false });
    expect(await engine.waitForChange(t, { sinceVersion: since, timeoutMs: 3000 })).toMatchObject({ changed: true });
    await engine.keyboard(t, { keysyms: parseKeys('BackSpace') });
  });

  it('scrolls (xterm scrolls back through its history)', async () => {
    await runInXterm(engine, t, 'seq 1 300');
    await new Promise((r) => setTimeout(r, 800));
    const { version } = await engine.screenshot(t, {});
    await engine.mouse(t, { action: 'scroll', x: 200, y: 200, dy: -5 });
    expect(await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 3000 })).toMatchObject({ changed: true });
    await engine.mouse(t, { action: 'scroll', x: 200, y: 200, dy: 5 });
  });

  it('measures: screenshot p50 over 20 calls, keypress until the screen shows it', async () => {
    await engine.mouse(t, { action: 'click', x: 200, y: 200, button: 'left' });
    const shots: number[] = [];
    for (let i = 0; i < 20; i++) {
      // A new frame each time (a typed character), so no call is served from the unchanged-screen cache.
      await engine.keyboard(t, { text: i % 2 ? '\b' : 'z' });
      await engine.waitForChange(t, { timeoutMs: 2000 });
      const t0 = performance.now();
      await engine.screenshot(t, {});
      shots.push(performance.now() - t0);
    }
    const keys: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { version } = await engine.screenshot(t, {});
      const t0 = performance.now();
      await engine.keyboard(t, { text: i % 2 ? '\b' : 'q' });
      const r = await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 3000 });
      await engine.screenshot(t, {});
      if (r.changed) keys.push(performance.now() - t0);
    }
    console.log(`screenshot_p50_ms=${median(shots).toFixed(1)} action_to_screen_p50_ms=${median(keys).toFixed(1)} (1280x800, VNC)`);
    expect(keys.length).toBeGreaterThanOrEqual(8);
  });

  it('closes an idle connection and reconnects on the next call, versions still growing', async () => {
    const quick = createDesktopEngine({ guacd: GUACD, idleMs: 300 });
    engines.push(quick);
    const first = await quick.screenshot(t, {});
    await new Promise((r) => setTimeout(r, 800));
    const second = await quick.screenshot(t, {});
    expect(second.version).toBeGreaterThan(first.version);
    // A version from before the reconnect counts as "changed since".
    expect(await quick.waitForChange(t, { sinceVersion: first.version, timeoutMs: 100 })).toMatchObject({ changed: true });
    quick.close(t.environmentId);
  });

  it('says clearly when the desktop cannot be reached', async () => {
    const broken = { ...t, environmentId: 'nowhere', connection: { ...t.connection, settings: { ...t.connection.settings, hostname: '/nonexistent/vnc.sock' } } };
    const quick = createDesktopEngine({ guacd: GUACD, connectTimeoutMs: 8000 });
    engines.push(quick);
    const err = await quick.screenshot(broken, {}).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('UNAVAILABLE');
  });
});

describe('desktop engine on a container desktop over RDP', () => {
  let ref = '';
  let t: ControlTarget;
  let engine: DesktopEngine;

  beforeAll(async () => {
    ({ ref, target: t } = await makeDesktop('rdp'));
    engine = createDesktopEngine({ guacd: GUACD });
    engines.push(engine);
  }, 600_000);

  it('screenshots, points and types through guacd\'s RDP client and xrdp', async () => {
    const shot = await engine.screenshot(t, {});
    expect(pngInfo(shot.png)).toMatchObject({ width: 1280, height: 800 });
    // xrdp draws its own screen first, then the desktop once it has signed in: type until the command lands.
    let typed = false;
    for (let i = 0; i < 3 && !typed; i++) {
      await runInXterm(engine, t, 'touch /tmp/typed-over-rdp');
      typed = await until(async () => (await fileText(ref, '/tmp/typed-over-rdp')) !== null, 4000);
    }
    expect(typed).toBe(true);
    expect(pngInfo((await engine.screenshot(t, {})).png).colours).toBeGreaterThan(3);
    await engine.mouse(t, { action: 'move', x: 640, y: 420 });
    expect(await until(async () => (await xPointer(ref)).x === 640, 5000)).toBe(true);
    expect(await xPointer(ref)).toMatchObject({ x: 640, y: 420 });
    const { version } = await engine.screenshot(t, {});
    await runInXterm(engine, t, 'echo rdp-change');
    expect(await engine.waitForChange(t, { sinceVersion: version, timeoutMs: 5000 })).toMatchObject({ changed: true });
  });
});
