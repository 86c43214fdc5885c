import { execFileSync } from 'node:child_process';
import { expect, type Browser, type Locator, type Page, type TestInfo } from '@playwright/test';
import argon2 from 'argon2';
import Dockerode from 'dockerode';
import { PNG } from 'pngjs';
import { createPrismaClient } from '@genos/db';

/** A fresh user in the e2e database, with a known password. */
export async function createUser(email: string, password: string) {
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    return await prisma.user.upsert({
      where: { email },
      update: { passwordHash: await argon2.hash(password) },
      create: { email, passwordHash: await argon2.hash(password), role: 'user' },
    });
  } finally {
    await prisma.$disconnect();
  }
}

/** A fresh admin in the e2e database, with a known password. */
export async function createAdmin(email: string, password: string) {
  await createUser(email, password);
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    return await prisma.user.update({ where: { email }, data: { role: 'admin' } });
  } finally {
    await prisma.$disconnect();
  }
}

/** Types a sentence into the chat, waits for an `ok` spec card and presses Launch. */
export async function composeAndLaunch(page: Page, sentence: string) {
  await page.getByLabel('Describe the environment you need').fill(sentence);
  await page.getByRole('button', { name: 'Send' }).click();
  const card = page.getByTestId('spec-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await card.getByRole('button', { name: 'Launch' }).click();
}

/** Signs in with email and password: opens `from` first (null: the sign-in form is already shown). */
export async function signIn(page: Page, email: string, password: string, from: string | null = '/signin') {
  if (from !== null) await page.goto(from);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A fresh browser context signed in as `who`, on the chat page. */
export async function openSignedIn(browser: Browser, who: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who.email, who.password);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  return page;
}

/** Presses Terminate in an environment view and waits until it shows the terminated state. */
export async function terminateInView(view: Locator, timeout = 60_000) {
  await view.getByRole('button', { name: 'Terminate', exact: true }).click();
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'terminated', { timeout });
}

/** A file's content inside a container desktop (empty when it does not exist yet). */
export function readInDesktop(id: string, file: string): string {
  try {
    return execFileSync('docker', ['exec', `genos-env-${id}`, 'cat', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Whether a file exists inside a container desktop. */
export function existsInDesktop(id: string, file: string): boolean {
  try {
    execFileSync('docker', ['exec', `genos-env-${id}`, 'test', '-e', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

/**
 * The instance the stack under test runs with (its Docker labels and VM metadata): playwright.config.ts
 * sets E2E_INSTANCE (a fresh t-e2e-<random> unless given) before the workers start, so this is the same.
 */
export const E2E_INSTANCE: string =
  process.env.E2E_INSTANCE ??
  (() => {
    throw new Error('E2E_INSTANCE is not set: run the e2e suite with -c apps/web/playwright.config.ts');
  })();

let failedInThisFile = false;

/**
 * For test.afterEach, and only after a failure: remove what a half-finished
 * run left, so one failure does not cascade. A passing run must clean up by
 * itself (the leftovers check). A test that ran into its own timeout leaves
 * its hooks no time of their own, so this one asks for a minute more, and
 * removeLeftoversAfterFailedFile (afterAll, its own timeout) tries again.
 */
export async function removeLeftoversAfterFailure(testInfo: TestInfo): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  failedInThisFile = true;
  testInfo.setTimeout(testInfo.timeout + 60_000);
  await removeInstanceLeftovers();
}

/** For test.afterAll: once a test of this file failed, nothing of this run's may stay behind it. */
export async function removeLeftoversAfterFailedFile(): Promise<void> {
  if (failedInThisFile) await removeInstanceLeftovers();
}

async function removeInstanceLeftovers(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [`genos.instance=${E2E_INSTANCE}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  // VM desktops of this run: named genos-vm-<id>, with the instance in their GenOS metadata.
  const virsh = (...args: string[]) => execFileSync('virsh', ['-c', 'qemu:///system', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let domains: string[];
  try {
    domains = virsh('list', '--all', '--name').split('\n').map((d) => d.trim()).filter((d) => d.startsWith('genos-vm-'));
  } catch {
    return; // no libvirt here
  }
  const ours = (d: string) => {
    try {
      // As the worker's parseMetadata reads it (libvirt may drop the namespace prefix).
      return new RegExp(`<(?:\\w+:)?label\\s+name="genos\\.instance"\\s+value="${E2E_INSTANCE}"`).test(virsh('metadata', d, 'https://genos.dev/libvirt/1'));
    } catch {
      return false; // gone meanwhile, or not GenOS's
    }
  };
  for (const d of domains.filter(ours)) {
    for (const args of [['destroy', d], ['undefine', d, '--managed-save']]) {
      try {
        virsh(...args);
      } catch {
        // already stopped or gone
      }
    }
  }
}

/**
 * Share of pixels that are not the most common colour. A blank or uniform
 * screen (even with a mouse cursor on it) stays near 0; a desktop with a
 * window on it does not.
 */
export function nonBackgroundShare(png: Buffer): number {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const c = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const dominant = Math.max(...counts.values());
  return 1 - dominant / (img.width * img.height);
}

/** Share of pixels that differ between two same-sized PNGs. */
export function changedShare(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) return 1;
  let changed = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) changed++;
  }
  return changed / (x.width * x.height);
}

/** Share of the remote screen's canvas pixels that are not black, read from the canvases themselves. */
export function litShare(display: Locator): Promise<number> {
  return display.evaluate((el) => {
    let best = 0;
    for (const canvas of Array.from(el.querySelectorAll('canvas'))) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) continue;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! > 16 || data[i + 1]! > 16 || data[i + 2]! > 16)) lit++;
      best = Math.max(best, lit / (canvas.width * canvas.height));
    }
    return best;
  });
}

/** An API token for a program, issued by the signed-in `page`'s user through the tokens router (the secret, shown once). */
export async function issueControlToken(page: Page, name: string): Promise<string> {
  const issued = await page.request.post('/api/trpc/auth.tokens.issue', { data: { json: { name, scopes: ['environments:control'], ttlHours: 1 } } });
  expect(issued.ok()).toBe(true);
  return ((await issued.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;
}
