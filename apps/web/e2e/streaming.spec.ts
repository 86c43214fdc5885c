import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { createPrismaClient } from '@genos/db';
import { changedShare, createUser, docker, nonBackgroundShare, readInDesktop, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

// The thin client around the live desktop: clipboard both ways and the team
// policy, scaling to the window, reconnecting after guacd restarts, and a
// phone with the on-screen keyboard.
const EMAIL = 'e2e-streaming@genos.test';
const PASSWORD = 'e2e-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

/** Signs in, launches an xterm desktop from a sentence, waits for the live display. Returns the environment id. */
async function launchDesktop(page: Page): Promise<string> {
  await signIn(page, EMAIL, PASSWORD, '/');
  await page.getByLabel('Describe the environment you need').fill('I need a Linux desktop with xterm');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByTestId('spec-card').getByRole('button', { name: 'Launch' }).click();
  const view = page.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  await expect(page.getByTestId('remote-display')).toHaveAttribute('data-status', 'connected');
  return (await view.getAttribute('data-env-id'))!;
}

async function terminate(page: Page, id: string) {
  const view = page.getByTestId('environment-view');
  await terminateInView(view);
  await expect(docker.getContainer(`genos-env-${id}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
}

/** The remote screen's size, as guacd announced it to the page. */
async function remoteSize(page: Page): Promise<{ width: number; height: number }> {
  const [width, height] = ((await page.getByTestId('remote-display').getAttribute('data-remote-size')) ?? '0x0').split('x').map(Number);
  return { width: width!, height: height! };
}

/** The X screen's size as the desktop itself sees it. */
const xScreen = (id: string) => /dimensions:\s+(\d+x\d+)/.exec(execFileSync('docker', ['exec', '-e', 'DISPLAY=:0', `genos-env-${id}`, 'xdpyinfo'], { encoding: 'utf8' }))?.[1];

/** Where a point of the remote screen is on the (possibly scaled) display. */
async function remotePoint(page: Page, x: number, y: number) {
  const scale = (await page.getByTestId('remote-display').boundingBox())!.width / (await remoteSize(page)).width;
  return { x: Math.round(x * scale), y: Math.round(y * scale) };
}

/** Types a line into the focused xterm. */
async function typeLine(page: Page, text: string) {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Pastes the X selection into the xterm with Shift+Insert into `file` (cat, then Ctrl+D). */
async function pasteSelectionInto(page: Page, file: string) {
  await typeLine(page, `cat > ${file}`);
  await page.waitForTimeout(300);
  await page.keyboard.press('Shift+Insert');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+d');
}

test('clipboard both ways, the screen following the window, and reconnecting after guacd restarts', async ({ page }) => {
  const id = await launchDesktop(page);
  const display = page.getByTestId('remote-display');

  // Local → remote: the panel sends text, the xterm pastes it.
  await page.getByRole('button', { name: 'Clipboard' }).click();
  await page.getByTestId('clipboard-local').fill('genos-paste-7781');
  await page.getByRole('button', { name: 'Send to desktop' }).click();
  await display.click({ position: { x: 120, y: 120 } });
  await page.waitForTimeout(300);
  await pasteSelectionInto(page, '/tmp/pasted.txt');
  await expect.poll(() => readInDesktop(id, '/tmp/pasted.txt'), { timeout: 15_000 }).toContain('genos-paste-7781');

  // Remote → local: fill the xterm with one word, double-click it, the panel shows it.
  await typeLine(page, 'clear; yes genoscopy42 | head -80');
  // The output may not be drawn yet when the first double-click lands: select again until the copy arrives.
  await expect(async () => {
    await display.dblclick({ position: await remotePoint(page, 70, 200) });
    await expect(page.getByTestId('clipboard-remote')).toHaveValue('genoscopy42', { timeout: 3_000 });
  }).toPass({ timeout: 20_000 });

  // Resize: the desktop's screen follows the window (the window's height less the page margin),
  // drawn 1:1, and the desktop itself has that size.
  await page.setViewportSize({ width: 1100, height: 700 });
  await expect.poll(async () => (await remoteSize(page)).height, { timeout: 15_000 }).toBe(684);
  const fitted = await remoteSize(page);
  expect(fitted.width).toBeGreaterThanOrEqual(640);
  expect(fitted.width).toBeLessThanOrEqual(1100);
  expect((await display.boundingBox())!.width).toBeCloseTo(fitted.width, 0);
  await expect.poll(() => xScreen(id)).toBe(`${fitted.width}x${fitted.height}`);
  await page.setViewportSize({ width: 1500, height: 1000 });
  await expect.poll(async () => (await remoteSize(page)).height, { timeout: 15_000 }).toBe(984);
  // "Scale" gives the desktop back its own size (1280×800) and scales the picture into a narrow window.
  await page.getByLabel('Screen size').selectOption('scale');
  await expect.poll(async () => remoteSize(page), { timeout: 15_000 }).toEqual({ width: 1280, height: 800 });
  expect(xScreen(id)).toBe('1280x800');
  await page.setViewportSize({ width: 800, height: 700 });
  await expect.poll(async () => (await display.boundingBox())!.width).toBeLessThanOrEqual(800);
  expect((await remoteSize(page)).width).toBe(1280);
  await page.setViewportSize({ width: 1500, height: 1100 });

  // Reconnect: restart guacd the way scripts/setup-host.sh runs it; the desktop keeps running.
  await restartGuacd(3000);
  await expect(display).toHaveAttribute('data-status', 'reconnecting', { timeout: 15_000 });
  await expect(page.getByTestId('connection-state')).toContainText(/Reconnecting… attempt \d+/);
  await expect(display).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  await display.click({ position: { x: 120, y: 120 } });
  const before = await display.screenshot();
  await typeLine(page, 'clear; seq 1 40');
  await expect.poll(async () => changedShare(before, await display.screenshot()), { timeout: 15_000 }).toBeGreaterThan(0.002);
  expect((await docker.getContainer(`genos-env-${id}`).inspect()).State.Running).toBe(true);

  await terminate(page, id);
});

test('a team with pasting disabled: the panel says so and the tunnel drops a paste sent anyway', async ({ page }) => {
  const id = await launchDesktop(page);
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    const team = await prisma.team.create({ data: { name: 'No paste', slug: `no-paste-${Date.now()}`, allowPaste: false } });
    await prisma.environment.update({ where: { id }, data: { teamId: team.id } });
  } finally {
    await prisma.$disconnect();
  }
  await page.goto(`/environments/${id}`);
  const display = page.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Clipboard' }).click();
  await expect(page.getByTestId('paste-disabled')).toHaveText('Pasting into the desktop is disabled by your team.');
  await expect(page.getByTestId('clipboard-remote')).toBeVisible();

  // Bypass the UI: a raw tunnel client with a valid token sends a clipboard stream.
  const res = await page.request.post('/api/trpc/environments.connectionToken', { data: { json: { id } } });
  const token = ((await res.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;
  const port = new URL(page.url()).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  const text = Buffer.from('genos-forbidden-55').toString('base64');
  ws.send(`9.clipboard,1.5,10.text/plain;4.blob,1.5,${text.length}.${text};3.end,1.5;`);
  await page.waitForTimeout(1000);
  ws.close();

  await display.click({ position: { x: 120, y: 120 } });
  await page.waitForTimeout(300);
  await pasteSelectionInto(page, '/tmp/after.txt');
  await typeLine(page, 'echo done > /tmp/done.txt');
  await expect.poll(() => readInDesktop(id, '/tmp/done.txt'), { timeout: 15_000 }).toContain('done');
  expect(readInDesktop(id, '/tmp/after.txt')).not.toContain('genos-forbidden-55');

  await terminate(page, id);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

  test('the desktop fits the screen and the on-screen keyboard types into the xterm', async ({ page }) => {
    const id = await launchDesktop(page);
    const display = page.getByTestId('remote-display');
    await expect.poll(async () => (await display.boundingBox())!.width).toBeLessThanOrEqual(390);
    const keyboard = page.getByTestId('on-screen-keyboard');
    await page.getByRole('button', { name: 'Keyboard', exact: true }).click();
    await expect(keyboard).toBeVisible();
    // The keyboard fits the phone's width.
    expect((await keyboard.boundingBox())!.width).toBeLessThanOrEqual(390);
    await page.getByLabel('Pointer mode').selectOption('touchscreen');
    // Like a person: wait until the xterm is on screen (openbox maps and focuses it a moment after
    // the first frame), then tap into it and type.
    await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);
    await display.tap({ position: { x: 40, y: 40 } });

    const key = (k: string) => keyboard.locator(`button[data-key="${k}"]`).click();
    for (const ch of 'echo osk42 ') await key(ch === ' ' ? 'Space' : ch);
    await key('Shift');
    await key('.'); // '>'
    for (const ch of '/tmp/osk.txt') await key(ch);
    await key('Enter');
    await expect.poll(() => readInDesktop(id, '/tmp/osk.txt'), { timeout: 15_000 }).toBe('osk42\n');

    await terminate(page, id);
  });
});

/**
 * Stops guacd (its whole process group: the daemon and its per-connection
 * children) and starts it again after `downMs`, exactly as setup-host.sh does.
 */
async function restartGuacd(downMs: number) {
  const listening = () => execFileSync('ss', ['-Hltnp', 'sport = :4822'], { encoding: 'utf8' });
  // Connection processes inherit the listening socket: the listener is the one whose parent is not among them.
  const pids = [...listening().matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  const daemon = pids.find((p) => !pids.includes(parentOf(p)));
  expect(daemon).toBeGreaterThan(1);
  // Like a service manager's restart: the daemon's process group and every connection process.
  process.kill(-daemon!, 'SIGTERM');
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      // already gone with its group
    }
  }
  try {
    await expect.poll(listening, { timeout: 10_000 }).toBe('');
    await new Promise((r) => setTimeout(r, downMs));
  } finally {
    // The same script setup-host.sh starts guacd with (unprivileged, loopback, its own HOME for FreeRDP).
    execFileSync('bash', [path.resolve(import.meta.dirname, '../../../scripts/start-guacd.sh')]);
    // What listens is guacd's relay into its sandbox (start-guacd.sh returns once guacd answers through it).
    await expect.poll(listening, { timeout: 10_000 }).toContain('users:');
  }
}
