/**
 * Streaming figures for one running desktop (1280×800), through the same
 * tunnel the browser uses (guacamole-lite → guacd → bridge → x11vnc):
 *
 * - stream_fps_1280x800 / stream_kbps_1280x800: a 30 frames/s full-screen
 *   scrolling animation (see ANIMATIONS), next to the rate the desktop drew it;
 *   stream_worst_case_*: a full-screen xterm redrawing every character (random)
 *   and its background colour as fast as it can. The client counts `sync` instructions (one per
 *   frame guacd sends) and the bytes received, and answers every sync at once
 *   like guacamole-common-js.
 * - input_to_screen_p50_ms: a key press sent on the tunnel until the first
 *   image instruction (the echoed character) arrives back (network + x11vnc +
 *   guacd encoding; the browser's decode and paint are not included).
 */
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';

const enc = (...els: string[]) => els.map((e) => `${e.length}.${e}`).join(',') + ';';

/** Opens the tunnel and resolves once guacd has sent its first frame. */
function open(url: string): Promise<{ ws: WebSocket; onData: (fn: (s: string) => void) => void }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'guacamole');
    let listener: (s: string) => void = () => {};
    let ready = false;
    ws.on('message', (data) => {
      const s = data.toString();
      // Answer every frame at once, so guacd never throttles for a slow client.
      for (const m of s.matchAll(/(?:^|;)4\.sync,(\d+)\.(\d+)/g)) ws.send(enc('sync', m[2]!));
      if (!ready && /(^|;)4\.sync,/.test(s)) {
        ready = true;
        resolve({ ws, onData: (fn) => (listener = fn) });
      }
      listener(s);
    });
    ws.on('error', reject);
    setTimeout(() => reject(new Error('no first frame in 20 s')), 20_000).unref();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The two full-screen animations, each in a 160x48 xterm covering the 1280x800 screen:
 * - worst: every character random and the background colour changing, as fast as the
 *   desktop can draw (55-60 screens/s): nothing compresses, nothing repeats.
 * - paced: coloured stripes with text scrolling one line per frame, at 30 frames/s (the
 *   loop counts its frames in /tmp/anim-count): every pixel row changes each frame, like
 *   scrolling a page or a video; its figure is compared with the rate the desktop drew.
 */
export const ANIMATIONS = {
  worst: 'i=0; while :; do printf "\\033[H\\033[4$((i%8))m"; head -c 5200 /dev/urandom | base64 -w 158 | head -n 46; i=$((i+1)); echo $i > /tmp/anim-count; sleep 0.01; done',
  paced:
    'for f in 0 1 2 3 4 5 6 7; do s=""; for j in $(seq 0 45); do printf -v l "\\033[4%dm%-158s\\n" $(((j+f)%8)) "line $((j+f)) of a scrolling page"; s+=$l; done; frames[f]="$s"; done; ' +
    'i=0; while :; do printf "\\033[H%s" "${frames[i%8]}"; i=$((i+1)); echo $i > /tmp/anim-count; sleep 0.028; done',
};

export const animCount = (container: string) => Number(execFileSync('docker', ['exec', container, 'cat', '/tmp/anim-count'], { encoding: 'utf8' }).trim() || 0);

/** Runs an animation loop in a full-screen xterm on the desktop, for `seconds`. */
export function startAnimation(container: string, loop: string, seconds: number) {
  execFileSync('docker', [
    'exec', '-d', '-e', 'DISPLAY=:0', container,
    'timeout', String(seconds), 'xterm', '-geometry', '160x48+0+0', '-fa', 'DejaVu Sans Mono', '-fs', '10', '-e', 'bash', '-c', loop,
  ]);
}

async function measureAnimation(opts: { tunnelUrl: (token: string) => string; token: () => Promise<string>; container: string; seconds: number }, loop: string) {
  startAnimation(opts.container, loop, opts.seconds + 6);
  const t = await open(opts.tunnelUrl(await opts.token()));
  await sleep(2500); // the window maps, the loop starts
  let frames = 0;
  let bytes = 0;
  t.onData((s) => {
    bytes += Buffer.byteLength(s);
    frames += s.match(/(?:^|;)4\.sync,/g)?.length ?? 0;
  });
  const drawn0 = animCount(opts.container);
  const t0 = performance.now();
  await sleep(opts.seconds * 1000);
  const secs = (performance.now() - t0) / 1000;
  const sourceFps = (animCount(opts.container) - drawn0) / secs;
  t.onData(() => {});
  await sleep(5000); // the animation ends (timeout), its window closes
  return { fps: frames / secs, kbps: (bytes * 8) / 1000 / secs, sourceFps, tunnel: t };
}

export async function benchStream(opts: { tunnelUrl: (token: string) => string; token: () => Promise<string>; container: string; seconds?: number }) {
  const seconds = opts.seconds ?? 8;
  // ── Throughput: full-screen animations ────────────────────────────────────
  const paced = await measureAnimation({ ...opts, seconds }, ANIMATIONS.paced);
  paced.tunnel.ws.close();
  const worst = await measureAnimation({ ...opts, seconds }, ANIMATIONS.worst);
  const t = worst.tunnel;

  // ── Input to screen ──────────────────────────────────────────────────────
  // Focus the desktop's own xterm (openbox puts it at 40,40), then type and erase.
  t.ws.send(enc('mouse', '200', '200', '1'));
  t.ws.send(enc('mouse', '200', '200', '0'));
  await sleep(800);
  const lat: number[] = [];
  for (let i = 0; i < 30; i++) {
    const keysym = i % 2 === 0 ? '120' : '65288'; // 'x', then BackSpace
    const seen = new Promise<number>((resolve) => {
      const start = performance.now();
      const timer = setTimeout(() => resolve(-1), 2000);
      t.onData((s) => {
        if (/(?:^|;)3\.img,|(?:^|;)4\.copy,|(?:^|;)4\.rect,/.test(s)) {
          clearTimeout(timer);
          resolve(performance.now() - start);
        }
      });
      t.ws.send(enc('key', keysym, '1') + enc('key', keysym, '0'));
    });
    const ms = await seen;
    t.onData(() => {});
    if (ms >= 0) lat.push(ms);
    await sleep(250);
  }
  t.ws.close();
  lat.sort((a, b) => a - b);
  const p50 = lat.length ? lat[Math.floor(lat.length / 2)]! : NaN;
  return {
    fps: worst.fps,
    kbps: worst.kbps,
    sourceFps: worst.sourceFps,
    paced: { fps: paced.fps, kbps: paced.kbps, sourceFps: paced.sourceFps },
    inputP50: p50,
    inputSamples: lat.length,
    latencies: lat,
  };
}
