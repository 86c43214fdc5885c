/**
 * The 30 fps full-screen animation as a person sees it: headless Chromium
 * opens the environment page and its live display (guacamole-common-js
 * decoding and drawing every frame into its canvas), and the overlay's own
 * "N fps" (frames received and drawn, per second) is read once a second while
 * the animation runs. guacd waits on the browser's answer to each frame, so
 * the browser's decoding and drawing count here.
 *
 * Only the sign-in goes through Playwright. The measured Chromium is driven
 * over a bare DevTools connection with no Network domain: Playwright enables
 * it on every page and so receives a copy of every websocket frame (~10 MB/s
 * of images here), work no user's browser does, on the same two cores that
 * run guacd and the desktop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { ANIMATIONS, animCount, startAnimation } from './stream-bench';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function sessionCookies(baseUrl: string, email: string, password: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    return await context.cookies();
  } finally {
    await browser.close();
  }
}

/** Headless Chromium and a DevTools session on its first page. */
async function bareChromium(width: number, height: number) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'genos-bench-chromium-'));
  // --no-sandbox as Playwright passes it: the bench runs as root, and the page is our own.
  const proc = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`, `--window-size=${width},${height}`, '--no-first-run', '--no-default-browser-check', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const browserUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${err.slice(-400)}`)));
  });
  const port = new URL(browserUrl).port;
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let next = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true })).result?.value;
  const close = async () => {
    ws.close();
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited; // then nothing writes into the profile any more
    rmSync(profile, { recursive: true, force: true });
  };
  return { send, evaluate, close };
}

async function waitFor(cr: { evaluate(e: string): Promise<unknown> }, expression: string, failure: string, ms = 30_000) {
  const until = Date.now() + ms;
  while (!(await cr.evaluate(expression).catch(() => false))) {
    if (Date.now() > until) throw new Error(`${failure} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchBrowserStream(opts: { baseUrl: string; email: string; password: string; environmentId: string; container: string; seconds?: number }) {
  const seconds = opts.seconds ?? 8;
  const cookies = await sessionCookies(opts.baseUrl, opts.email, opts.password);
  const cr = await bareChromium(1920, 1200);
  try {
    await cr.send('Network.setCookies', { cookies: cookies.map(({ partitionKey: _p, ...c }) => c) });
    // "Scale" (the overlay's choice, kept per browser): the desktop keeps its 1280x800 instead of following this window.
    await cr.send('Page.navigate', { url: `${opts.baseUrl}/signin` });
    await waitFor(cr, `document.readyState === 'complete'`, 'the sign-in page did not load');
    await cr.evaluate(`localStorage.setItem('genos.display.fit', 'scale')`);
    await cr.send('Page.navigate', { url: `${opts.baseUrl}/environments/${opts.environmentId}` });
    await waitFor(cr, `!!document.querySelector('[data-testid="remote-display"][data-status="connected"]')`, 'the display did not connect in Chromium');

    startAnimation(opts.container, ANIMATIONS.paced, seconds + 6);
    await new Promise((r) => setTimeout(r, 2500)); // the window maps, the loop starts
    const drawn0 = animCount(opts.container);
    const t0 = performance.now();
    const samples: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const text = String((await cr.evaluate(`document.querySelector('[data-testid="display-stats"]')?.textContent ?? ''`)) ?? '');
      const fps = Number(/(\d+) fps/.exec(text)?.[1]);
      if (Number.isFinite(fps)) samples.push(fps);
    }
    const sourceFps = (animCount(opts.container) - drawn0) / ((performance.now() - t0) / 1000);
    samples.sort((a, b) => a - b);
    await new Promise((r) => setTimeout(r, 5000)); // the animation ends
    return { fps: samples.length ? samples[Math.floor(samples.length / 2)]! : NaN, samples, sourceFps };
  } finally {
    await cr.close();
  }
}
