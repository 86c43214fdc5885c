import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { createUser, docker } from './helpers';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const EMAIL = 'e2e-cli@genos.test';
const PASSWORD = 'e2e-cli-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

/** Runs `npx genos ...` from the repo root against the e2e server. */
async function genos(baseURL: string, ...args: string[]) {
  const { stdout } = await run('npx', ['genos', ...args], {
    cwd: root,
    env: { ...process.env, GENOS_URL: baseURL, GENOS_EMAIL: EMAIL, GENOS_PASSWORD: PASSWORD, GENOS_TOKEN: '' },
    timeout: 180_000,
  });
  return stdout;
}

test('the genos CLI drives the running server through tRPC', async ({ baseURL }) => {
  const created = JSON.parse(await genos(baseURL!, 'env', 'create', '--wait', '--json', 'a Linux desktop with xterm'));
  expect(created.state).toBe('running');
  expect(created.runtimeRef).toBe(`genos-env-${created.id}`);
  expect((await docker.getContainer(created.runtimeRef).inspect()).State.Running).toBe(true);

  const listed = JSON.parse(await genos(baseURL!, 'env', 'list', '--json'));
  expect(listed.map((e: { id: string }) => e.id)).toContain(created.id);
  const got = JSON.parse(await genos(baseURL!, 'env', 'get', created.id, '--json'));
  expect(got).toMatchObject({ id: created.id, state: 'running' });

  const ended = JSON.parse(await genos(baseURL!, 'env', 'terminate', created.id, '--wait', '--json'));
  expect(ended.state).toBe('terminated');
  await expect(docker.getContainer(created.runtimeRef).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test('genos env get refuses an unknown id with a clear error', async ({ baseURL }) => {
  await expect(genos(baseURL!, 'env', 'get', 'nosuchenvironment', '--json')).rejects.toMatchObject({
    stderr: expect.stringContaining('no environment with id nosuchenvironment'),
  });
});
