import { freePort } from '@genos/db/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// deploy/compose/compose.yaml for real: the images built from Debian by deploy/images/build.sh
// (cached after the first run), a stack of its own (project name, networks, volumes, ports,
// state dir, secrets), reached over HTTPS through its Caddy with the local CA trusted, then
// removed with everything it made, whether the tests passed or not.
const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const COMPOSE_FILE = path.join(REPO, 'deploy/compose/compose.yaml');
const id = randomBytes(3).toString('hex');
const project = `genos-t-compose-${id}`;
const stateDir = `/var/lib/genos/t-compose-${id}`;
let secretsDir = '';
let ports = { https: 0, http: 0, ops: 0 };
let ca = '';
const instance = `t-compose-${id}`;

const composeEnv = () => ({
  ...process.env,
  GENOS_SECRETS_DIR: secretsDir,
  GENOS_STATE_DIR: stateDir,
  GENOS_INSTANCE: instance,
  GENOS_SITE: 'localhost',
  GENOS_HTTPS_PORT: String(ports.https),
  GENOS_HTTP_PORT: String(ports.http),
  GENOS_PUBLISH_ADDRESS: '127.0.0.1',
  GENOS_WORKER_OPS_PORT: String(ports.ops),
});
const compose = (...args: string[]) =>
  run('docker-compose', ['-p', project, '-f', COMPOSE_FILE, ...args], { env: composeEnv(), maxBuffer: 32 * 2 ** 20 });

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }
function get(url: string, opts: { ca?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { ca: opts.ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 5 s`)));
    req.on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const logs = await compose('logs', '--no-color', '--tail', '40').then((r) => r.stdout, () => '');
  throw new Error(`${what} within ${timeoutMs / 1000} s (last: ${last})\n${logs}`);
}

const readyz = (): Promise<Answer> => get(`https://localhost:${ports.https}/readyz`, { ca });
type Readiness = { status: string; failing: string[]; checks: Record<string, { status: 'up' | 'down' }> };
const readiness = (a: Answer) => JSON.parse(a.body) as Readiness;
/** A tRPC mutation over HTTPS with the local CA trusted (superjson's plain-JSON form). */
function mutate<T>(proc: string, input: unknown, bearer?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    const req = https.request(`https://localhost:${ports.https}/api/trpc/${proc}?batch=1`, { method: 'POST', ca, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        try {
          resolve((JSON.parse(text) as [{ result: { data: { json: T } } }])[0].result.data.json);
        } catch {
          reject(new Error(`${proc}: ${res.statusCode} ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ 0: { json: input } }));
  });
}

const SECRET_FILES = ['postgres.env', 'database.env', 'web.env', 'admin.env'];
const adminPassword = async () => /^GENOS_ADMIN_PASSWORD=(.+)$/m.exec(await fs.readFile(path.join(secretsDir, 'admin.env'), 'utf8'))![1]!;

/** The CLI against the stack's HTTPS origin, trusting the local CA as Node does (NODE_EXTRA_CA_CERTS). */
async function cli(...args: string[]): Promise<string> {
  const password = await adminPassword();
  const env = { ...process.env, GENOS_URL: `https://localhost:${ports.https}`, GENOS_EMAIL: 'admin@genos.local', GENOS_PASSWORD: password, NODE_EXTRA_CA_CERTS: path.join(secretsDir, 'ca.crt') };
  return run('npx', ['genos', ...args], { cwd: REPO, env, timeout: 240_000, maxBuffer: 8 * 2 ** 20 }).then(
    (r) => r.stdout,
    (e: { stdout?: string; stderr?: string }) => {
      throw new Error(`genos ${args.join(' ')} failed: ${`${e.stdout ?? ''}${e.stderr ?? ''}`.trim().slice(-800)}`);
    },
  );
}

const upParts = (a: Answer) => Object.entries(readiness(a).checks).filter(([, c]) => c.status === 'up').map(([n]) => n);

describe('the compose deployment (deploy/compose)', () => {
  beforeAll(async () => {
    // Idempotent: a few seconds when nothing changed, ~3 minutes when the app changed (a new build); on a
    // machine that never built them, four debootstraps first (~15 minutes here), hence the long timeouts.
    await run('bash', [path.join(REPO, 'deploy/images/build.sh')], { maxBuffer: 32 * 2 ** 20, timeout: 1_500_000 });
    secretsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-compose-secrets-'));
    await run('bash', [path.join(REPO, 'deploy/compose/make-secrets.sh'), secretsDir]);
    await fs.mkdir(stateDir, { recursive: true, mode: 0o711 });
    ports = { https: await freePort(), http: await freePort(), ops: await freePort() };
    await compose('up', '-d');
    // Caddy makes its local CA at its first start.
    ca = await until('Caddy made its local CA', async () => {
      const { stdout } = await compose('exec', '-T', 'caddy', 'cat', '/data/caddy/pki/authorities/local/root.crt');
      return stdout.includes('BEGIN CERTIFICATE') ? stdout : undefined;
    }, 60_000);
    await fs.writeFile(path.join(secretsDir, 'ca.crt'), ca);
    await until('the stack answered /readyz with 200 over HTTPS', async () => ((await readyz()).status === 200 ? true : undefined), 120_000);
  }, 1_800_000);

  afterAll(async () => {
    // Desktops the stack's worker started on the host's Docker, should a test have left one; then everything
    // the project made: containers, its networks and its volumes; then our folders.
    const labelled = async (kind: 'ps' | 'network ls') =>
      (await run('docker', [...kind.split(' '), ...(kind === 'ps' ? ['-a'] : []), '-q', '--filter', `label=genos.instance=${instance}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    for (const c of await labelled('ps')) await run('docker', ['rm', '-f', '-v', c]).catch(() => {});
    for (const n of await labelled('network ls')) await run('docker', ['network', 'rm', n]).catch(() => {});
    await compose('down', '-v', '--remove-orphans', '-t', '5').catch(() => {});
    await fs.rm(stateDir, { recursive: true, force: true });
    if (secretsDir) await fs.rm(secretsDir, { recursive: true, force: true });
  }, 120_000);

  it('answers /readyz over HTTPS with a certificate from its own CA, naming every dependency', async () => {
    const a = await readyz();
    expect(a.status).toBe(200);
    expect(a.headers['strict-transport-security']).toContain('max-age=');
    expect(upParts(a)).toEqual(expect.arrayContaining(['database', 'queue', 'guacd']));
    // Without the CA, the same address is refused: the certificate really is the local CA's.
    await expect(get(`https://localhost:${ports.https}/readyz`)).rejects.toThrow(/self[- ]signed|unable to verify|local issuer/i);
  });

  it('redirects plain HTTP to the HTTPS origin', async () => {
    const a = await get(`http://localhost:${ports.http}/readyz`);
    expect(a.status).toBe(308);
    expect(a.headers.location).toBe(`https://localhost:${ports.https}/readyz`);
  });

  it("runs the worker with Docker and guacd ready, its ops port on the host's loopback only", async () => {
    const a = await until('the worker answered /readyz', async () => {
      const r = await get(`http://127.0.0.1:${ports.ops}/readyz`);
      return r.status === 200 ? r : undefined;
    }, 60_000);
    expect(upParts(a)).toEqual(expect.arrayContaining(['database', 'queue', 'guacd', 'docker']));
  });

  it('launches a desktop whose network the worker firewalls on the host, and streams it over wss:// through Caddy', async () => {
    const created = JSON.parse((await cli('env', 'create', '--wait', '--json', 'an xterm desktop with internet access')).trim().split('\n').at(-1)!) as {
      id: string;
      state: string;
      spec: { network: { mode: string } };
    };
    expect([created.state, created.spec.network.mode]).toEqual(['running', 'egress']);
    // The worker (host network, NET_ADMIN) wrote this desktop's chains into the host's firewall.
    const network = `genos-net-${created.id}`;
    const { stdout: bridge } = await run('docker', ['network', 'inspect', network, '-f', '{{index .Options "com.docker.network.bridge.name"}}']);
    const rules = async () => (await run('iptables', ['-w', '10', '-S'])).stdout.split('\n').filter((l) => l.includes(`-i ${bridge.trim()} `) && l.includes('-j GN'));
    expect((await rules()).length).toBe(2);

    const { token } = await mutate<{ token: string }>('auth.issueToken', { email: 'admin@genos.local', password: await adminPassword(), name: 'compose-test', ttlHours: 1 });
    const minted = await mutate<{ token: string }>('environments.connectionToken', { id: created.id }, token);
    // Browser to Caddy (TLS) to the web app's tunnel, to guacd (no network) by its socket, to the desktop's VNC socket.
    const opcodes = await new Promise<string[]>((resolve, reject) => {
      const ws = new WebSocket(`wss://localhost:${ports.https}/tunnel?token=${encodeURIComponent(minted.token)}`, { ca });
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no picture within 20 s: ${text.slice(0, 200)}`)), 20_000);
      ws.on('message', (d: Buffer) => {
        text += d.toString();
        if (!/\d+\.img,/.test(text)) return;
        clearTimeout(timer);
        ws.terminate();
        resolve([...text.matchAll(/(?:^|;)\d+\.([a-z]+)/g)].map((m) => m[1]!));
      });
      ws.on('error', reject);
    });
    expect(opcodes).toEqual(expect.arrayContaining(['size', 'img']));

    await cli('env', 'terminate', created.id);
    await until('the desktop, its network and its firewall chains were removed', async () => {
      const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=genos.instance=${instance}`]);
      const nets = await run('docker', ['network', 'inspect', network]).then(() => 1, () => 0);
      return stdout.trim() === '' && nets === 0 && (await rules()).length === 0 ? true : undefined;
    }, 60_000);
  });

  it('keeps the secrets out of the images, and gives each container only the secrets it reads', async () => {
    const secrets: string[] = [];
    for (const f of SECRET_FILES) {
      expect((await fs.stat(path.join(secretsDir, f))).mode & 0o777, f).toBe(0o600);
      for (const line of (await fs.readFile(path.join(secretsDir, f), 'utf8')).split('\n')) {
        const value = line.split('=').slice(1).join('=');
        if (value.length >= 24) secrets.push(value);
      }
    }
    expect(secrets.length).toBe(5);
    for (const image of ['app', 'postgres', 'guacd', 'caddy']) {
      const { stdout } = await run('docker', ['image', 'inspect', `genos-deploy/${image}:local`]);
      const { stdout: history } = await run('docker', ['history', '--no-trunc', `genos-deploy/${image}:local`]);
      for (const s of secrets) expect(stdout + history).not.toContain(s);
    }
    const envOf = async (service: string) => {
      const { stdout: ids } = await compose('ps', '-q', service);
      const { stdout } = await run('docker', ['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', ids.trim()]);
      return stdout.split('\n').map((l) => l.split('=')[0]).filter((k) => /^(POSTGRES_PASSWORD|DATABASE_URL|AUTH_SECRET|GENOS_TUNNEL_KEY|GENOS_ADMIN_PASSWORD)$/.test(k!)).sort();
    };
    expect(await envOf('postgres')).toEqual(['POSTGRES_PASSWORD']);
    expect(await envOf('worker')).toEqual(['DATABASE_URL']);
    expect(await envOf('web')).toEqual(['AUTH_SECRET', 'DATABASE_URL', 'GENOS_TUNNEL_KEY']);
    expect(await envOf('guacd')).toEqual([]);
    expect(await envOf('caddy')).toEqual([]);
  });

  it('turns unready naming guacd when guacd stops, and ready again when it is back', async () => {
    await compose('stop', '-t', '2', 'guacd');
    const down = await until('/readyz turned unready', async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 30_000);
    expect(readiness(down).failing).toEqual(['guacd']);
    await compose('start', 'guacd');
    await until('/readyz was ready again', async () => ((await readyz()).status === 200 ? true : undefined), 60_000);
  });
});
