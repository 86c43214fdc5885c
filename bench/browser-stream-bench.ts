/**
 * The 30 fps full-screen animation as a person sees it: headless Chromium
 * signs in, opens the environment page and its live display
 * (guacamole-common-js drawing every frame into its canvas), and reads the
 * overlay's own "N fps" (frames received and drawn, per second) once a
 * second while the animation runs. guacd waits for the browser's answer to
 * each frame, so the browser's decoding and drawing count here.
 */
import { chromium } from '@playwright/test';
import { ANIMATIONS, animCount, startAnimation } from './stream-bench';

export async function benchBrowserStream(opts: { baseUrl: string; email: string; password: string; environmentId: string; container: string; seconds?: number }) {
  const seconds = opts.seconds ?? 8;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1200 } });
    await page.goto(`${opts.baseUrl}/signin`);
    await page.getByLabel('Email').fill(opts.email);
    await page.getByLabel('Password').fill(opts.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    await page.goto(`${opts.baseUrl}/environments/${opts.environmentId}`);
    await page.getByTestId('remote-display').and(page.locator('[data-status="connected"]')).waitFor({ timeout: 30_000 });

    startAnimation(opts.container, ANIMATIONS.paced, seconds + 6);
    await page.waitForTimeout(2500); // the window maps, the loop starts
    const drawn0 = animCount(opts.container);
    const t0 = performance.now();
    const samples: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await page.waitForTimeout(1000);
      const text = (await page.getByTestId('display-stats').textContent()) ?? '';
      const fps = Number(/(\d+) fps/.exec(text)?.[1]);
      if (Number.isFinite(fps)) samples.push(fps);
    }
    const sourceFps = (animCount(opts.container) - drawn0) / ((performance.now() - t0) / 1000);
    samples.sort((a, b) => a - b);
    await page.waitForTimeout(5000); // the animation ends
    return { fps: samples.length ? samples[Math.floor(samples.length / 2)]! : NaN, samples, sourceFps };
  } finally {
    await browser.close();
  }
}
