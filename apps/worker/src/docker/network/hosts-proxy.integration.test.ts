// The named-hosts mode (network.allowHosts) against the real Docker engine
// and Debian's tinyproxy. The internet is a stand-in this test makes: an
// internal network of its own with one small web server answering under
// several names. The proxy gets that network instead of its egress bridge
// (gatewayEgress false), so nothing leaves the machine.
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { BASE_TAG, ensureBaseImage } from '../../images/build-base-image';
import { ignoreStatus } from '../docker-status';
import { createDockerDriver } from '../docker-driver';
import { desktopShell } from '../desktop-shell';
import { hostsNetworkName, hostsProxyName, HOSTS_PROXY_ALIAS, HOSTS_PROXY_PORT } from './names';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('hosts');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, gatewayEgress: false });
const stamp = Date.now().toString(36);
const web = `genos-test-web-${stamp}`;
const server = `genos-test-websrv-${stamp}`;
const made: string[] = [];

/** Answers every GET with "ok <the Host it was asked for>" on ports 80 and 443 (plain HTTP on both). */
const SERVER = `
import http.server, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = ("ok " + self.headers.get("Host", "").split(":")[0]).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
for p in (80, 443):
    threading.Thread(target=http.server.ThreadingHTTPServer(("0.0.0.0", p), H).serve_forever).start()
`;

/** What a program in the desktop gets: through the proxy settings it was given, around them, and by CONNECT. */
const PROBE = `
import json, socket, sys, urllib.error, urllib.request
def get(url, proxy=True):
    opener = urllib.request.build_opener() if proxy else urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        r = opener.open(url, timeout=8)
        return "%d %s" % (r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        return str(e.code)
    except Exception:
        return "unreachable"
def connect(host, port):
    s = socket.create_connection(("${HOSTS_PROXY_ALIAS}", ${HOSTS_PROXY_PORT}), timeout=8)
    s.sendall(("CONNECT %s:%d HTTP/1.1\\r\\nHost: %s:%d\\r\\n\\r\\n" % (host, port, host, port)).encode())
    code = s.recv(4096).decode(errors="replace").split(" ")[1]
    if code != "200":
        return code
    s.sendall(("GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n" % host).encode())
    body = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return "200 " + body.decode().split("\\r\\n\\r\\n", 1)[1]
def direct(ip):
    try:
        socket.create_connection((ip, 80), timeout=3)
        return "connected"
    except Exception:
        return "unreachable"
print(json.dumps({
    "allowed": get("http://allowed.genos.test/"),
    "below_wildcard": get("http://docs.wild.genos.test/"),
    "other": get("http://other.genos.test/"),
    "wildcard_itself": get("http://wild.genos.test/"),
    "allowed_no_proxy": get("http://allowed.genos.test/", proxy=False),
    "server_ip_direct": direct(sys.argv[1]),
    "tunnel_allowed_443": connect("allowed.genos.test", 443),
    "tunnel_other_443": connect("other.genos.test", 443),
    "tunnel_allowed_80": connect("allowed.genos.test", 80),
}))
`;

beforeAll(async () => {
  await ensureBaseImage({ docker });
  await docker.createNetwork({ Name: web, Driver: 'bridge', Internal: true, Labels: { 'genos.managed': 'true', ...state.labels } });
  made.push(web);
  const c = await docker.createContainer({
    name: server,
    Image: BASE_TAG,
    User: '0:0',
    Cmd: ['python3', '-c', SERVER],
    Labels: { 'genos.managed': 'true', ...state.labels },
    HostConfig: { NetworkMode: web, Memory: 128 * 1024 * 1024 },
    NetworkingConfig: { EndpointsConfig: { [web]: { Aliases: ['allowed.genos.test', 'other.genos.test', 'docs.wild.genos.test', 'wild.genos.test'] } } },
  });
  await c.start();
});

afterAll(async () => {
  try {
    await ignoreStatus(docker.getContainer(server).remove({ force: true }), [404]);
    for (const n of made) await ignoreStatus(docker.getNetwork(n).remove(), [404]);
  } finally {
    await state.remove();
  }
});

describe('a desktop limited to named hosts', () => {
  it('reaches the listed hosts (and names below a *. entry) through its proxy, and nothing else by any route', async () => {
    const id = `hp${stamp}`;
    const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 }, network: { mode: 'egress', allowHosts: ['allowed.genos.test', '*.wild.genos.test'] } };
    try {
      const { runtimeRef } = await driver.create({ environmentId: id, spec });
      await driver.start(runtimeRef);
      // The stand-in internet, where the proxy's egress bridge would be.
      await docker.getNetwork(web).connect({ Container: hostsProxyName(id) });
      const serverIp = (await docker.getContainer(server).inspect()).NetworkSettings.Networks[web]!.IPAddress;
      const b64 = Buffer.from(PROBE).toString('base64');
      const out = await desktopShell(docker, runtimeRef, `echo ${b64} | base64 -d > /tmp/probe.py && python3 /tmp/probe.py ${serverIp}`);
      expect(JSON.parse(out.split('\n').at(-1)!)).toEqual({
        allowed: '200 ok allowed.genos.test',
        below_wildcard: '200 ok docs.wild.genos.test',
        // tinyproxy's answer for a filtered host.
        other: '403',
        wildcard_itself: '403',
        // Around the proxy: the name does not resolve and the server's address has no route.
        allowed_no_proxy: 'unreachable',
        server_ip_direct: 'unreachable',
        tunnel_allowed_443: '200 ok allowed.genos.test',
        tunnel_other_443: '403',
        // Tunnels go to 443 only.
        tunnel_allowed_80: '403',
      });
      // Only the desktop and its proxy are on the inner network.
      const members = Object.values((await docker.getNetwork(hostsNetworkName(id)).inspect()).Containers ?? {}).map((c) => (c as { Name: string }).Name).sort();
      expect(members).toEqual([`genos-env-${id}`, hostsProxyName(id)].sort());
    } finally {
      await docker.getNetwork(web).disconnect({ Container: hostsProxyName(id), Force: true }).catch(() => {});
      await driver.terminate({ environmentId: id, runtimeRef: null });
    }
    // Terminate leaves nothing: no proxy, no inner network.
    await expect(docker.getContainer(hostsProxyName(id)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getNetwork(hostsNetworkName(id)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses a host list that would match more than was asked, before anything is made', async () => {
    const id = `hq${stamp}`;
    const spec: EnvironmentSpec = { ...DEFAULT_SPEC, network: { mode: 'egress', allowHosts: ['*'] } };
    await expect(driver.create({ environmentId: id, spec })).rejects.toMatchObject({ code: 'VALIDATION' });
    await driver.terminate({ environmentId: id, runtimeRef: null });
    const left = await docker.listNetworks({ filters: { name: [`genos-hosts-${id}`, `genos-net-${id}`] } });
    expect(left.map((n) => n.Name)).toEqual([]);
  });
});
