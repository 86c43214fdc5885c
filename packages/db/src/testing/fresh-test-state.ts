// freshTestState(): what one test suite needs besides its database: a state
// dir and an instance name of its own, both new, removed by remove(). Nothing
// a suite sees may come from an earlier test or run (a folder left with the
// right mode once hid a broken first run).
//
//   const state = await freshTestState('docker-driver');
//   createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
//   await state.remove(); // in afterAll, after the suite's own clean-up
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Every test instance name starts with this; the suite's leftover check looks for it. */
export const TEST_INSTANCE_PREFIX = 't-';
/** Label on everything a test makes (with genos.instance): the leftover check lists by it. */
export const TEST_LABEL = 'genos.test';
/** Where test state dirs live: one folder per suite, made with mkdtemp (0700, as a careful admin would). */
export const TEST_STATE_ROOT = path.join(os.tmpdir(), 'genos-test-state');

export interface FreshTestState {
  /** `t-<suite, 12 characters at most>-<random>`: unique per run of a suite. */
  instance: string;
  /** A folder made now with mode 0700: GenOS must open what guacd needs itself. */
  stateDir: string;
  /** genos.instance and genos.test, for drivers and anything else the suite creates. */
  labels: Record<string, string>;
  remove(): Promise<void>;
}

export async function freshTestState(suite: string): Promise<FreshTestState> {
  // Short: sockets live under the state dir, and a unix socket's path holds 107 bytes at most.
  const slug = suite.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 12);
  const instance = `${TEST_INSTANCE_PREFIX}${slug}-${randomBytes(3).toString('hex')}`;
  await fs.mkdir(TEST_STATE_ROOT, { recursive: true, mode: 0o711 });
  await fs.chmod(TEST_STATE_ROOT, 0o711);
  const stateDir = await fs.mkdtemp(path.join(TEST_STATE_ROOT, instance));
  return {
    instance,
    stateDir,
    labels: { 'genos.instance': instance, [TEST_LABEL]: 'true' },
    remove: () => removeStateDir(stateDir),
  };
}

/** Mountpoints at or under `dir` (from /proc/self/mounts, octal escapes decoded), deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const text = await fs.readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((t) => t === root || t.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes a test state dir. A desktop a failed test never ended still has its
 * Transfer folder mounted there (gocryptfs): that is detached first (umount -l),
 * so the removal neither deletes through the mount nor fails on it.
 */
export async function removeStateDir(dir: string): Promise<void> {
  for (const m of await mountsUnder(dir)) {
    await new Promise<void>((resolve) => execFile('umount', ['-l', '--', m], () => resolve()));
  }
  await fs.rm(dir, { recursive: true, force: true });
}
