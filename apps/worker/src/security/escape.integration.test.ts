// Escape attempts from inside real environments (standard profile), against
// the real Docker engine, guacd and PostgreSQL of this machine. Every attempt
// must fail, and the host and a second environment must keep working.
//
// Network rule: every address probed here belongs to this machine (its own
// interface addresses, the bridges GenOS created, containers the suite made)
// or to a network namespace the suite creates itself (the stand-in
// "internet" at 203.0.113.1, reachable only through a veth on this host).
// Nothing is sent off the machine; nothing is scanned (a fixed list of ports).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { probeGuacd } from '../display/guacd-probe';
import { networkName } from '../docker/container-config';
import { createDockerDriver } from '../docker/docker-driver';
import { bridgeName, chainNames, listFirewallChains } from '../docker/network/firewall';
import { teamNetworkName, torGatewayName, torNetworkName } from '../docker/network/names';
import { ensureBaseImage } from '../images/build-base-image';

const run = promisify(execFile);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// gatewayEgress: false — the Tor client gets no outside network, so it never sends a packet off the machine.
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('escape');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, gatewayEgress: false });
const GUACD = { host: '127.0.0.1', port: 4822 };
const PG_PORT = 54329;
const small: EnvironmentSpec = { ...DEFAULT_SPEC, apps: [], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 } };
const stamp = Date.now().toString(36);
const ids = { none: `esc${stamp}a`, egress: `esc${stamp}b`, tor: `esc${stamp}c`, team1: `esc${stamp}d`, team2: `esc${stamp}e`, otherTeam: `esc${stamp}f` };
const refs: Record<keyof typeof ids, string> = { none: '', egress: '', tor: '', team1: '', team2: '', otherTeam: '' };
// Network mode team: two desktops of one team, one of another team.
const teams = { a: `teama${stamp}`, b: `teamb${stamp}` };
// Stand-in for the web app: a listener on every host address (0.0.0.0), as a careless service would be.
let web: net.Server;
let webPort = 0;
// A namespace of our own playing "the internet" for the egress positive test.
const INET_NS = `genos-test-inet-${stamp}`.slice(0, 30);
const INET_HOST_IF = `gti${stamp}`.slice(0, 15);
const INET_IP = '203.0.113.1';
const INET_HOST_IP = '203.0.113.254';
let inetServer: ChildProcess | undefined;

/** Runs bash in a container as its user; returns exit code and combined output. */
async function sh(ref: string, script: string, opts: { wait?: boolean } = {}): Promise<{ code: number; out: string }> {
  if (opts.wait === false) {
    // Detached and without a TTY: a hang-up at the end of the session would kill what it started.
    const exec = await docker.getContainer(ref).exec({ Cmd: ['bash', '-c', script] });
    await exec.start({ Detach: true });
    return { code: -1, out: '' };
  }
  const exec = await docker.getContainer(ref).exec({ Cmd: ['bash', '-c', script], AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ Tty: true });
  const out = await new Promise<string>((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString('utf8')));
    stream.on('end', () => resolve(s));
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, out: out.replace(/\r/g, '') };
}

/** Connects to every target at once (2 s each); returns target → exit code (0 connected, 124 timed out = dropped, else refused/unreachable). */
async function probe(ref: string, targets: string[]): Promise<Record<string, number>> {
  const script = `for t in ${targets.join(' ')}; do ( timeout 2 bash -c "exec 3<>/dev/tcp/\${t%:*}/\${t##*:}" 2>/dev/null; echo "$t=$?" ) & done; wait`;
  const { out } = await sh(ref, script);
  const res: Record<string, number> = {};
  for (const m of out.matchAll(/^(\S+)=(\d+)$/gm)) res[m[1]!] = Number(m[2]);
  return res;
}

const hostIPv4 = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);

async function containerIp(ref: string, network: string): Promise<string> {
  const info = await docker.getContainer(ref).inspect();
  return info.NetworkSettings.Networks[network]!.IPAddress;
}
async function networkGateway(network: string): Promise<string> {
  return (await docker.getNetwork(network).inspect()).IPAM?.Config?.[0]?.Gateway as string;
}
const hostPortOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  });

beforeAll(async () => {
  await ensureBaseImage({ docker });
  web = net.createServer((s) => {
    s.on('error', () => undefined); // probes hang up abruptly
    s.end('web\n');
  });
  await new Promise<void>((r) => web.listen(0, '0.0.0.0', r));
  webPort = (web.address() as net.AddressInfo).port;
  const team = { ...small, network: { mode: 'team' as const, allowHosts: [] } };
  const [a, b, c, d, e, f] = await Promise.all([
    driver.create({ environmentId: ids.none, spec: small }),
    driver.create({ environmentId: ids.egress, spec: { ...small, apps: ['xterm'], network: { mode: 'egress', allowHosts: [] } } }),
    driver.create({ environmentId: ids.tor, spec: { ...small, network: { mode: 'tor', allowHosts: [] } } }),
    driver.create({ environmentId: ids.team1, spec: team, teamId: teams.a }),
    driver.create({ environmentId: ids.team2, spec: team, teamId: teams.a }),
    driver.create({ environmentId: ids.otherTeam, spec: team, teamId: teams.b }),
  ]);
  refs.none = a.runtimeRef;
  refs.egress = b.runtimeRef;
  refs.tor = c.runtimeRef;
  refs.team1 = d.runtimeRef;
  refs.team2 = e.runtimeRef;
  refs.otherTeam = f.runtimeRef;
  await Promise.all(Object.values(refs).map((r) => driver.start(r)));
  await Promise.all(Object.values(refs).map((r) => driver.displayEndpoint(r, { timeoutMs: 30_000 })));
});

afterAll(async () => {
  inetServer?.kill();
  await run('ip', ['netns', 'del', INET_NS]).catch(() => undefined);
  await run('ip', ['link', 'del', INET_HOST_IF]).catch(() => undefined);
  try {
    await Promise.all(Object.entries(ids).map(([k, id]) => driver.terminate({ environmentId: id, runtimeRef: refs[k as keyof typeof ids] || null })));
  } finally {
    await new Promise((r) => web?.close(r));
    await state.remove();
  }
});

describe('network: an environment reaches nothing of the host or of other environments', () => {
  it('egress env: every host address (bridge gateway, docker0, LAN IP) is dropped for PostgreSQL, guacd and a 0.0.0.0 web port', async () => {
    const ports = [PG_PORT, GUACD.port, webPort];
    const hosts = [...new Set([await networkGateway(networkName(ids.egress)), await networkGateway(torNetworkName(ids.tor)), ...hostIPv4()])];
    const targets = hosts.flatMap((h) => ports.map((p) => `${h}:${p}`));
    const res = await probe(refs.egress, targets);
    expect(Object.keys(res).sort()).toEqual([...targets].sort());
    // 124: the SYN was silently dropped by the firewall (a closed port would answer "refused" fast).
    for (const t of targets) expect({ t, code: res[t] }).toEqual({ t, code: 124 });
    // The web listener really is open to the host itself: the drop is the firewall, not a closed port.
    expect(await hostPortOpen(webPort)).toBe(true);
  });

  it("egress env: 127.0.0.1 is the environment's own loopback, not the host's", async () => {
    const res = await probe(refs.egress, [`127.0.0.1:${PG_PORT}`, `127.0.0.1:${GUACD.port}`, `127.0.0.1:${webPort}`]);
    expect(Object.values(res)).toEqual([1, 1, 1]);
  });

  it("egress env: another environment's container and its Tor gateway are unreachable", async () => {
    const torNet = torNetworkName(ids.tor);
    const targets = [`${await containerIp(refs.tor, torNet)}:5900`, `${await containerIp(torGatewayName(ids.tor), torNet)}:9050`];
    const res = await probe(refs.egress, targets);
    for (const t of targets) expect(res[t]).not.toBe(0);
  });

  it('egress env: the internet path works, NATed (against a namespace of our own at 203.0.113.1)', async () => {
    await run('ip', ['netns', 'add', INET_NS]);
    await run('ip', ['link', 'add', INET_HOST_IF, 'type', 'veth', 'peer', 'name', 'inet0', 'netns', INET_NS]);
    await run('ip', ['addr', 'add', `${INET_HOST_IP}/24`, 'dev', INET_HOST_IF]);
    await run('ip', ['link', 'set', INET_HOST_IF, 'up']);
    await run('ip', ['-n', INET_NS, 'addr', 'add', `${INET_IP}/24`, 'dev', 'inet0']);
    await run('ip', ['-n', INET_NS, 'link', 'set', 'inet0', 'up']);
    // Safety: the address must route into our veth, never to the real uplink.
    const { stdout: route } = await run('ip', ['-4', 'route', 'get', INET_IP]);
    expect(route).toContain(`dev ${INET_HOST_IF}`);
    inetServer = spawn('ip', ['netns', 'exec', INET_NS, process.execPath, '-e', `require('net').createServer((s) => s.end('inet-saw-' + s.remoteAddress + '\\n')).listen(8080, '${INET_IP}', () => console.log('up'))`]);
    await new Promise<void>((resolve, reject) => {
      inetServer!.stdout!.once('data', () => resolve());
      inetServer!.once('exit', (c) => reject(new Error(`inet listener exited ${c}`)));
    });
    const { code, out } = await sh(refs.egress, `exec 3<>/dev/tcp/${INET_IP}/8080 && timeout 3 cat <&3`);
    expect(code).toBe(0);
    // The listener saw the host's address: Docker's MASQUERADE did its job.
    expect(out).toContain(`inet-saw-${INET_HOST_IP}`);
    // A "none" environment has no way there at all.
    expect((await probe(refs.none, [`${INET_IP}:8080`]))[`${INET_IP}:8080`]).toBe(1);
  });

  it('egress env: the rules exist, hang off DOCKER-USER and INPUT for its bridge, and the container routes out via its gateway', async () => {
    const name = networkName(ids.egress);
    const { forward, input } = chainNames(name);
    expect(await listFirewallChains()).toEqual(expect.arrayContaining([forward, input]));
    const { stdout } = await run('iptables', ['-w', '10', '-S']);
    expect(stdout).toContain(`-A DOCKER-USER -i ${bridgeName(name)}`);
    expect(stdout).toContain(`-A INPUT -i ${bridgeName(name)}`);
    const { out } = await sh(refs.egress, 'cat /proc/net/route');
    expect(out).toMatch(/^eth0\s+00000000\s/m); // a default route exists (the NAT path)
  });

  it('tor env: reaches its gateway and nothing else (internal network: the outside, the host and other environments dropped)', async () => {
    const socks = await sh(refs.tor, `exec 3<>/dev/tcp/tor-gateway/9050 && printf '\\x05\\x01\\x00' >&3 && timeout 5 head -c 2 <&3 | od -An -tx1`);
    expect(socks.out.trim()).toBe('05 00'); // a SOCKS5 server answered: the only way out
    // Docker 20.10 still gives an internal network's containers a default route; the drops are iptables'.
    expect((await docker.getNetwork(torNetworkName(ids.tor)).inspect()).Internal).toBe(true);
    const gw = await networkGateway(torNetworkName(ids.tor));
    const targets = [`${gw}:${PG_PORT}`, `${gw}:${GUACD.port}`, `${gw}:${webPort}`];
    const res = await probe(refs.tor, [...targets, `${await containerIp(refs.egress, networkName(ids.egress))}:5900`, `${hostIPv4()[0]}:${webPort}`, `${INET_IP}:8080`]);
    for (const t of targets) expect({ t, code: res[t] }).toEqual({ t, code: 124 });
    for (const [t, code] of Object.entries(res)) expect({ t, code: code === 0 }).toEqual({ t, code: false });
    const env = (await docker.getContainer(refs.tor).inspect()).Config.Env ?? [];
    expect(env).toContain('ALL_PROXY=socks5h://tor-gateway:9050');
  });

  it('none env: no interface but loopback', async () => {
    const { out } = await sh(refs.none, 'cat /proc/net/dev');
    expect(out).toContain('lo:');
    expect(out).not.toMatch(/eth\d:/);
  });
});

describe('privileges: no way to more rights inside or to the host', () => {
  it('no Docker socket, no other display, read-only /proc/sys', async () => {
    const { code, out } = await sh(refs.none, 'ls /var/run/docker.sock /run/docker.sock 2>&1; ls -A /run/genos/display; echo 3 > /proc/sys/vm/drop_caches 2>&1 && echo SYSCTL-WRITTEN');
    expect(out).toMatch(/\/var\/run\/docker\.sock'?: No such file/);
    expect(out).toMatch(/access '?\/run\/docker\.sock'?: No such file/);
    expect(out).not.toContain('SYSCTL-WRITTEN');
    expect(out).toMatch(/drop_caches: Read-only file system/);
    // The display folder holds the VNC socket (and PulseAudio's, listed on the same line under a TTY).
    expect(out.split(/\s+/)).toContain('vnc.sock');
    expect(out).not.toContain(ids.egress);
    expect(code).not.toBe(0);
  });

  it('no capabilities and no-new-privileges; setuid binaries do not raise privileges', async () => {
    const { out } = await sh(refs.none, 'grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status; su -c id root </dev/null 2>&1; echo su=$?; id -u');
    expect(out).toMatch(/CapEff:\s+0000000000000000/);
    expect(out).toMatch(/CapPrm:\s+0000000000000000/);
    expect(out).toMatch(/CapBnd:\s+0000000000000000/);
    expect(out).toMatch(/NoNewPrivs:\s+1/);
    expect(out).not.toMatch(/uid=0/);
    expect(out).toMatch(/su=[1-9]/);
    expect(out.trim().split('\n').at(-1)).toBe('1000');
  });

  it('no user namespace, no mount, no remount of / read-write', async () => {
    const { out } = await sh(
      refs.none,
      'unshare -r id >/dev/null 2>&1; echo unshare=$?; mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>&1; echo mount=$?; ' +
        'mount -o remount,rw / 2>&1; echo remount=$?; touch /usr/escape 2>&1; echo touch=$?',
    );
    for (const step of ['unshare', 'mount', 'remount', 'touch']) expect(out).toMatch(new RegExp(`^${step}=[1-9]`, 'm'));
    expect(out).toMatch(/Read-only file system/);
  });
});

describe('resources: limits hold and the neighbours keep working', () => {
  it('memory beyond the limit is OOM-killed inside; the environment and the host carry on', async () => {
    const { code } = await sh(refs.none, `python3 -c "x = b'x' * (600 << 20); print('allocated')"`);
    expect(code).toBe(137); // SIGKILL from the cgroup's OOM killer
    expect((await driver.inspect(refs.none)).state).toBe('running');
    expect(await hostPortOpen(PG_PORT)).toBe(true);
  });

  it('a fork bomb stops at the pids limit; the host and another environment keep answering', async () => {
    const info = await docker.getContainer(refs.none).inspect();
    const limit = info.HostConfig.PidsLimit!;
    await sh(refs.none, ':(){ :|:& };:', { wait: false });
    const pidsFile = `/sys/fs/cgroup/pids/docker/${info.Id}/pids.current`;
    let current = 0;
    for (let i = 0; i < 50 && current < limit; i++) {
      await new Promise((r) => setTimeout(r, 100));
      current = Number(await fs.readFile(pidsFile, 'utf8').catch(() => '0'));
    }
    expect(current).toBe(limit); // saturated, and never beyond
    // Meanwhile: the other environment's display still streams, the host still serves.
    const endpoint = await driver.displayEndpoint(refs.egress, { timeoutMs: 10_000 });
    const t0 = performance.now();
    const frame = await probeGuacd({ guacd: GUACD, display: endpoint, timeoutMs: 10_000 });
    expect(frame.firstImgMs).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(await hostPortOpen(PG_PORT)).toBe(true);
    expect(await hostPortOpen(GUACD.port)).toBe(true);
    await run('true'); // the host can still fork
    expect(Number(await fs.readFile(pidsFile, 'utf8'))).toBeLessThanOrEqual(limit);
  });
});

// After the network block: the stand-in internet at INET_IP is up by now.
describe('network mode team: one team\'s desktops reach each other and nothing else', () => {
  it("team env: reaches its teammate's desktop, not another team's, not the host, and has no route out", async () => {
    await sh(refs.team2, 'socat TCP-LISTEN:7777,fork,reuseaddr SYSTEM:"echo team-hello"', { wait: false });
    await sh(refs.otherTeam, 'socat TCP-LISTEN:7777,fork,reuseaddr SYSTEM:"echo team-hello"', { wait: false });
    const mate = await containerIp(refs.team2, teamNetworkName(teams.a));
    const stranger = await containerIp(refs.otherTeam, teamNetworkName(teams.b));
    await expect.poll(async () => (await sh(refs.team1, `timeout 2 bash -c 'exec 3<>/dev/tcp/${mate}/7777 && cat <&3'`)).out, { timeout: 10_000 }).toContain('team-hello');
    const gw = await networkGateway(teamNetworkName(teams.a));
    const hosts = [...new Set([gw, ...hostIPv4()])];
    const res = await probe(refs.team1, [`${stranger}:7777`, ...hosts.flatMap((h) => [`${h}:${PG_PORT}`, `${h}:4822`, `${h}:${webPort}`])]);
    expect(Object.keys(res).length).toBe(1 + hosts.length * 3);
    for (const [target, code] of Object.entries(res)) expect({ target, code }).not.toMatchObject({ code: 0 });
    // The stand-in internet (the egress test's namespace) stays out of reach: an internal network.
    expect((await probe(refs.team1, [`${INET_IP}:8080`]))[`${INET_IP}:8080`]).not.toBe(0);
  });

  it('team network: kept while a member runs, removed with its rules when the last one goes', async () => {
    const name = teamNetworkName(teams.a);
    const { forward } = chainNames(name);
    await driver.terminate({ environmentId: ids.team1, runtimeRef: refs.team1 });
    expect((await docker.listNetworks({ filters: { name: [name] } })).map((n) => n.Name)).toContain(name);
    await driver.terminate({ environmentId: ids.team2, runtimeRef: refs.team2 });
    expect((await docker.listNetworks({ filters: { name: [name] } })).map((n) => n.Name)).not.toContain(name);
    expect(await listFirewallChains()).not.toContain(forward);
  });

  it('team network: an environment of no team is refused before anything is made', async () => {
    await expect(driver.create({ environmentId: `esc${stamp}g`, spec: { ...small, network: { mode: 'team', allowHosts: [] } } })).rejects.toThrow(/belongs to no team/);
    expect((await docker.listContainers({ all: true, filters: { name: [`genos-env-esc${stamp}g`] } })).length).toBe(0);
  });
});
