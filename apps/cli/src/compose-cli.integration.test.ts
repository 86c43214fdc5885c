import { execFile } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
// Temporary folders of this file: removed at the end even when a test fails.
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'genos-cli-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const genos = (...args: string[]) => run('npx', ['genos', ...args], { cwd: root, env: { ...process.env, GENOS_URL: 'http://127.0.0.1:9' } });

describe('genos compose (no server needed)', () => {
  it('prints one JSON result for a request', async () => {
    const { stdout } = await genos('compose', '--json', 'I need a Linux desktop with xterm');
    const r = JSON.parse(stdout);
    expect(r.status).toBe('ok');
    expect(r.spec.apps).toEqual(['xterm']);
  });

  it('prints one line per request in order for --batch, exit code 0 for every status', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'requests.txt');
    await writeFile(file, ['a desktop with firefox', 'something for work', 'a windows desktop', 'x'.repeat(20_000)].join('\n'));
    const { stdout } = await genos('compose', '--json', '--batch', file);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.status)).toEqual(['ok', 'needs_clarification', 'unsatisfiable', 'rejected']);
    expect(lines[0].spec.apps).toEqual(['firefox-esr']);
    expect(lines[3].problems[0].message).toMatch(/2000 characters/);
  });

  it('refines a composed spec from a file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'spec.json');
    const { stdout: composed } = await genos('compose', '--json', 'a desktop with firefox');
    await writeFile(file, composed);
    const { stdout } = await genos('refine', '--json', '--spec', file, 'add vlc and make it 4 GB');
    const r = JSON.parse(stdout);
    expect(r.spec.apps).toEqual(['firefox-esr', 'vlc']);
    expect(r.changes.map((c: { field: string }) => c.field)).toEqual(['apps', 'resources.memoryMiB']);
  });
});
