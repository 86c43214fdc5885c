import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { createUser, readInDesktop, removeLeftoversAfterFailedFile, removeLeftoversAfterFailure } from './helpers';

// Programs driving desktops through the control API with nothing but a token: the CLI's
// `genos desktop` commands, and the two worked examples in examples/computer-use (the API
// alone, and an agent through `genos mcp` with the AI SDK's mock model), run as a user would.
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const EMAIL = 'e2e-computer-use@genos.test';
const PASSWORD = 'e2e-computer-use-password-1234';
let token = '';

test.beforeAll(async ({ baseURL }) => {
  await createUser(EMAIL, PASSWORD);
  const { stdout } = await run('npx', ['genos', 'token', 'issue', 'e2e-computer-use', '--scopes', 'environments:read,environments:write,environments:control,composer', '--ttl-hours', '1'], {
    cwd: root,
    env: { ...process.env, GENOS_URL: baseURL, GENOS_EMAIL: EMAIL, GENOS_PASSWORD: PASSWORD, GENOS_TOKEN: '' },
  });
  token = (JSON.parse(stdout) as { token: string }).token;
});

// eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured fixtures argument
test.afterEach(async ({}, testInfo) => removeLeftoversAfterFailure(testInfo));
test.afterAll(removeLeftoversAfterFailedFile);

/** Runs a command from the repo root as a program holding only the token. */
const asProgram = (baseURL: string, cmd: string, args: string[], cwd = root) =>
  run(cmd, args, { cwd, env: { ...process.env, GENOS_URL: baseURL, GENOS_TOKEN: token, GENOS_EMAIL: '', GENOS_PASSWORD: '' }, timeout: 180_000 }).catch((e: Error & { stdout?: string }) => {
    // What the program printed says why it failed (the error alone carries only its stderr).
    e.message += `\nstdout:\n${(e.stdout ?? '').slice(-2000)}`;
    throw e;
  });

test('genos desktop: click, type, keys, cursor and a screenshot, checked inside the desktop', async ({ baseURL }) => {
  const created = JSON.parse((await asProgram(baseURL!, 'npx', ['genos', 'env', 'create', '--wait', '--json', 'a Linux desktop with xterm'])).stdout) as { id: string; state: string };
  expect(created.state).toBe('running');
  const id = created.id;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'genos-cu-'));
  try {
    const desktop = async (...args: string[]) => (await asProgram(baseURL!, 'npx', ['genos', 'desktop', ...args])).stdout;
    await desktop('click', id, '120', '120');
    expect(JSON.parse(await desktop('cursor', id))).toEqual({ x: 120, y: 120 });
    await desktop('type', id, 'echo typed-by-the-cli > /tmp/cli.txt');
    await desktop('key', id, 'Return');
    await expect.poll(() => readInDesktop(id, '/tmp/cli.txt'), { timeout: 20_000 }).toContain('typed-by-the-cli');

    const file = path.join(dir, 'screen.png');
    await desktop('screenshot', id, '--out', file, '--scale', '0.5');
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([640, 400]);

    // The log holds what the program did, in order.
    const actions = (await desktop('actions', id)).trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['mouse', 'keyboard', 'screenshot']));
    expect(actions.indexOf('mouse')).toBeLessThan(actions.indexOf('keyboard'));

    // Bad input answers with its exit code and nothing reaches the desktop: a key that does not exist.
    await expect(asProgram(baseURL!, 'npx', ['genos', 'desktop', 'key', id, 'ctrl+NoSuchKey'])).rejects.toMatchObject({ code: 2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await asProgram(baseURL!, 'npx', ['genos', 'env', 'terminate', id, '--wait', '--json']);
  }
});

for (const example of ['api-only.ts', 'mcp-agent.ts']) {
  test(`examples/computer-use/${example} opens a terminal from the menu, runs a command and sees its output`, async ({ baseURL }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'genos-cu-'));
    try {
      // Run from a scratch folder: the examples save their screenshot in the current directory.
      const { stdout } = await asProgram(baseURL!, 'npx', ['--prefix', root, 'tsx', path.join(root, 'examples/computer-use', example)], dir);
      expect(stdout).toContain('the output is genos-42');
      expect(stdout).toMatch(/terminated|terminate_environment/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
