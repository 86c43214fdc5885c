import { rm } from 'node:fs/promises';
import argon2 from 'argon2';
import { expect, test } from '@playwright/test';
import { DEFAULT_SPEC } from '@genos/core';
import { createPrismaClient } from '@genos/db';
import { createUser, issueControlToken, nonBackgroundShare, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

const EMAIL = 'e2e-rec-user@genos.test';
const PASSWORD = 'e2e-rec-password-1234';
const ADMIN = 'e2e-rec-admin@genos.test';
let teamId = '';

test.beforeAll(async () => {
  const user = await createUser(EMAIL, PASSWORD);
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    await prisma.user.upsert({ where: { email: ADMIN }, update: { role: 'admin', passwordHash: await argon2.hash(PASSWORD) }, create: { email: ADMIN, role: 'admin', passwordHash: await argon2.hash(PASSWORD) } });
    const team = await prisma.team.upsert({ where: { slug: 'e2e-recorded' }, update: { recordSessions: true }, create: { name: 'Recorded', slug: 'e2e-recorded', recordSessions: true } });
    teamId = team.id;
    await prisma.membership.upsert({ where: { userId_teamId: { userId: user.id, teamId } }, update: {}, create: { userId: user.id, teamId, role: 'member' } });
  } finally {
    await prisma.$disconnect();
  }
});

// Only after a failure: remove what a half-finished run left (see sentence-to-desktop.spec.ts).
// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

test('a team with recording on: a session is recorded, and an admin plays it back and seeks', async ({ page, browser }) => {
  await signIn(page, EMAIL, PASSWORD);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  // A desktop of the recorded team (tRPC, as the CLI would: the team is part of the request).
  const created = await page.request.post('/api/trpc/environments.create', {
    data: { json: { spec: { ...DEFAULT_SPEC, apps: ['xterm'] }, request: 'recorded desktop', teamId } },
  });
  expect(created.ok()).toBe(true);
  const envId = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  // The session: the desktop streams, the user types.
  await page.goto(`/environments/${envId}`);
  const view = page.getByTestId('environment-view');
  await expect(view.getByTestId('env-state')).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  const display = page.getByTestId('remote-display');
  await expect(display).toHaveAttribute('data-status', 'connected');
  await expect.poll(async () => nonBackgroundShare(await display.screenshot()), { timeout: 30_000 }).toBeGreaterThan(0.1);
  await display.click({ position: { x: 120, y: 120 } });
  for (let i = 0; i < 4; i++) {
    await page.keyboard.type(`seq 1 ${10 + i * 10}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
  }
  // A program acts on the desktop meanwhile (control API, its own token): playback shows it on the timeline.
  const robotToken = await issueControlToken(page, 'recorded-robot');
  const typed = await page.request.post('/api/trpc/control.keyboard', {
    headers: { Authorization: `Bearer ${robotToken}` },
    data: { json: { id: envId, text: 'echo typed-by-a-program\n' } },
  });
  expect(typed.ok()).toBe(true);
  await page.waitForTimeout(800);
  // Ending the session (leaving the page) closes the recording: its row gets an end and a size.
  await page.goto('/environments');
  const prisma = createPrismaClient(process.env.E2E_DATABASE_URL);
  let recordingId = '';
  try {
    await expect
      .poll(async () => {
        const rows = await prisma.recording.findMany({ where: { environmentId: envId, endedAt: { not: null } }, orderBy: { bytes: 'desc' } });
        recordingId = rows[0]?.id ?? '';
        return Number(rows[0]?.bytes ?? 0);
      }, { timeout: 20_000 })
      .toBeGreaterThan(10_000);
  } finally {
    await prisma.$disconnect();
  }

  // An administrator finds it and plays it.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ADMIN, PASSWORD);
  await expect(admin.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();
  await admin.goto('/admin/recordings');
  const row = admin.locator(`[data-testid="recording-row"][data-recording-id="${recordingId}"]`);
  await expect(row).toHaveAttribute('data-env-id', envId);
  await row.getByRole('link', { name: 'Play' }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/recordings/${recordingId}$`));

  const player = admin.getByTestId('recording-player');
  await expect(player).toHaveAttribute('data-loaded', 'true');
  // The program's action is on the timeline, and in the JSON-lines export with its offset into the recording.
  await expect(player.getByTestId('recording-actions')).toContainText('token recorded-robot: keyboard');
  const exported = await admin.request.get(`/api/recordings/${recordingId}/actions`);
  expect(exported.headers()['content-type']).toBe('application/x-ndjson');
  const lines = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l) as { action: string; offsetMs: number; params: { text?: string } });
  expect(lines).toEqual([expect.objectContaining({ action: 'keyboard', params: expect.objectContaining({ text: 'echo typed-by-a-program\n' }) })]);
  expect(lines[0]!.offsetMs).toBeGreaterThan(0);
  await expect.poll(async () => Number(await player.getAttribute('data-duration'))).toBeGreaterThan(2000);
  const screen = admin.getByTestId('recording-display');

  // It plays: the position moves (at 4x) and the recorded desktop appears.
  await player.getByLabel('Speed').selectOption('4');
  await player.getByRole('button', { name: 'Play' }).click();
  await expect(player).toHaveAttribute('data-state', 'playing');
  await expect.poll(async () => Number(await player.getAttribute('data-position')), { timeout: 10_000 }).toBeGreaterThan(500);
  await expect.poll(async () => nonBackgroundShare(await screen.screenshot()), { timeout: 15_000 }).toBeGreaterThan(0.05);

  // Seek: pause, jump back to the start, then near the end.
  // (A short recording may already have played to its end at 4x.)
  const pause = player.getByRole('button', { name: 'Pause' });
  if (await pause.isVisible()) await pause.click();
  await expect(player).toHaveAttribute('data-state', 'paused');
  await player.getByLabel('Seek').fill('0');
  await expect.poll(async () => Number(await player.getAttribute('data-position'))).toBeLessThan(300);
  const duration = Number(await player.getAttribute('data-duration'));
  await player.getByLabel('Seek').fill(String(Math.floor(duration - 500)));
  await expect.poll(async () => Number(await player.getAttribute('data-position'))).toBeGreaterThan(duration - 1500);

  // Not for ordinary users: the file route refuses them.
  expect((await page.request.get(`/api/recordings/${recordingId}`)).status()).toBe(403);
  expect((await admin.request.get(`/api/recordings/${recordingId}`)).status()).toBe(200);
  await adminContext.close();

  await page.goto(`/environments/${envId}`);
  await terminateInView(page.getByTestId('environment-view'));

  // The files guacd wrote for this test (retention would take 30 days).
  const cleanup = createPrismaClient(process.env.E2E_DATABASE_URL);
  try {
    for (const r of await cleanup.recording.findMany({ where: { environmentId: envId } })) await rm(r.path, { force: true });
  } finally {
    await cleanup.$disconnect();
  }
});
