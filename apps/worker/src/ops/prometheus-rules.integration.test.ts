import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The alert rules shipped in deploy/prometheus, checked and unit-tested with Debian's promtool (scripts/setup-host.sh installs it).
const run = promisify(execFile);
const DIR = path.resolve(import.meta.dirname, '../../../../deploy/prometheus');

const promtool = (...args: string[]) =>
  run('promtool', args, { cwd: DIR }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );

describe('GenOS alert rules', () => {
  it('pass promtool check rules, and the example configuration loads them', async () => {
    const rules = await promtool('check', 'rules', 'genos.rules.yml');
    expect(rules.out).toContain('SUCCESS');
    expect(rules.code).toBe(0);
    const config = await promtool('check', 'config', 'prometheus.yml');
    expect(config.code, config.out).toBe(0);
  });

  it('pass their unit tests, and every rule has one', async () => {
    const tests = (await fs.readdir(path.join(DIR, 'tests'))).filter((f) => f.endsWith('.yml')).map((f) => path.join('tests', f));
    expect(tests.length).toBeGreaterThan(0);
    const result = await promtool('test', 'rules', ...tests);
    expect(result.code, result.out).toBe(0);
    const alerts = [...(await fs.readFile(path.join(DIR, 'genos.rules.yml'), 'utf8')).matchAll(/^\s*- alert: (\S+)/gm)].map((m) => m[1]);
    const tested = new Set<string>();
    for (const t of tests) for (const m of (await fs.readFile(path.join(DIR, t), 'utf8')).matchAll(/alertname: (\S+)/g)) tested.add(m[1]!);
    expect(alerts.filter((a) => !tested.has(a!))).toEqual([]);
    expect(alerts).toEqual(expect.arrayContaining(['GenosHostDown', 'GenosProvisioningFailing', 'GenosQueueWaitTooLong', 'GenosStateDirDiskFull', 'GenosCertificateExpiring', 'GenosBackupMissing', 'GenosGuacdDown']));
  });

  it('fail when a rule stops matching its test (the tests can fail)', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-rules-'));
    try {
      const broken = (await fs.readFile(path.join(DIR, 'genos.rules.yml'), 'utf8')).replace('genos_jobs_oldest_wait_seconds) > 300', 'genos_jobs_oldest_wait_seconds) > 3000');
      await fs.writeFile(path.join(tmp, 'genos.rules.yml'), broken);
      await fs.mkdir(path.join(tmp, 'tests'));
      await fs.copyFile(path.join(DIR, 'tests', 'genos.rules.test.yml'), path.join(tmp, 'tests', 'genos.rules.test.yml'));
      const r = await run('promtool', ['test', 'rules', 'tests/genos.rules.test.yml'], { cwd: tmp }).then(() => 0, (e: { code?: number }) => e.code ?? 1);
      expect(r).not.toBe(0);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
