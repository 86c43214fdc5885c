import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createUser, docker, issueControlToken, readInDesktop, removeLeftoversAfterFailure, removeLeftoversAfterFailedFile, signIn, terminateInView } from './helpers';

// A program drives a desktop through the control API (a token with environments:control, tRPC over
// HTTP as any internal tool would) while its owner watches; the owner takes over, the program is
// refused with CONTROL_TAKEN naming them; hand back, and the program carries on.
const EMAIL = 'e2e-control@genos.test';
const PASSWORD = 'e2e-control-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

/** A program's tRPC call with its bearer token: the result, or the error tRPC answered with. */
async function programCall(request: APIRequestContext, token: string, path: string, input: unknown, kind: 'query' | 'mutation') {
  const headers = { Authorization: `Bearer ${token}` };
  const res =
    kind === 'query'
      ? await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers })
      : await request.post(`/api/trpc/${path}`, { headers, data: { json: input } });
  const body = (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string; data: { code: string; appCode: string | null } } } };
  return { status: res.status(), data: body.result?.data.json, error: body.error?.json };
}

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

test('a program types while the owner watches; take over refuses it with CONTROL_TAKEN, hand back lets it carry on', async ({ page, playwright, baseURL }) => {
  const id = await launchDesktop(page);

  // The owner issues the program's token through the tokens router (their session).
  const token = await issueControlToken(page, 'e2e-robot');
  // The program has no cookies: only its token.
  const program = await playwright.request.newContext({ baseURL });
  const call = (path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') => programCall(program, token, path, input, kind);

  // It looks, clicks into the xterm (openbox puts it at the top left) and types a command.
  const shot = await call('control.screenshot', { id }, 'query');
  expect(shot.error).toBeUndefined();
  expect(shot.data).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
  expect((await call('control.mouse', { id, action: 'click', x: 100, y: 100, button: 'left' })).error).toBeUndefined();
  expect((await call('control.keyboard', { id, text: 'echo typed-by-program-1 > /tmp/program-1.txt\n' })).error).toBeUndefined();
  await expect.poll(() => readInDesktop(id, '/tmp/program-1.txt'), { timeout: 20_000 }).toContain('typed-by-program-1');

  // The owner sees who drives, and takes over.
  const bar = page.getByTestId('control-bar');
  await expect(bar.getByTestId('control-holder')).toHaveText('A program (token e2e-robot) is in control');
  await bar.getByTestId('take-over').click();
  await expect(bar.getByTestId('control-holder')).toContainText('You have control');

  const refused = await call('control.keyboard', { id, text: 'echo must-not-appear > /tmp/program-refused.txt\n' });
  expect(refused.status).toBe(409);
  expect(refused.error?.data.appCode).toBe('CONTROL_TAKEN');
  expect(refused.error?.message).toContain(EMAIL);
  expect(readInDesktop(id, '/tmp/program-refused.txt')).toBe('');

  // Hand back: the program's next call works.
  await bar.getByTestId('hand-back').click();
  await expect(bar.getByTestId('control-holder')).toHaveText('A program (token e2e-robot) is in control');
  expect((await call('control.mouse', { id, action: 'click', x: 100, y: 100, button: 'left' })).error).toBeUndefined();
  expect((await call('control.keyboard', { id, text: 'echo typed-by-program-2 > /tmp/program-2.txt\n' })).error).toBeUndefined();
  await expect.poll(() => readInDesktop(id, '/tmp/program-2.txt'), { timeout: 20_000 }).toContain('typed-by-program-2');

  // The log has what the program did, with its parameters.
  const log = await call('control.actions', { id }, 'query');
  expect((log.data as { action: string; actor: string }[]).filter((a) => a.action === 'keyboard').map((a) => a.actor)).toEqual(['token e2e-robot', 'token e2e-robot']);
  await program.dispose();

  await terminateInView(page.getByTestId('environment-view'));
  await expect(docker.getContainer(`genos-env-${id}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
});
