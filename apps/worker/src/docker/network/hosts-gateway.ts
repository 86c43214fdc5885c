import type Dockerode from 'dockerode';
import { createGateway, removeGateway } from './gateway-container';
import { hostsFilter, hostsProxyConfig } from './hosts-proxy-config';
import { HOSTS_PROXY_ALIAS, hostsNetworkName, hostsProxyName } from './names';

/**
 * The named-hosts mode (egress with network.allowHosts): the environment sits
 * alone with a filtering HTTP proxy (tinyproxy) on an internal network
 * (gateway-container.ts). It has no route of its own; the proxy resolves each
 * name and passes only the listed hosts (plain HTTP, and HTTPS tunnels to
 * port 443), so "only docs.example.org" holds for every program, proxy-aware
 * or not: one that ignores the proxy settings reaches nothing at all.
 *
 * The list travels in the environment and the settings in the command (the
 * image is read-only); a small shell writes both to the proxy's tmpfs first.
 */
export async function createHostsPath(
  docker: Dockerode,
  opts: { environmentId: string; allowHosts: readonly string[]; labels?: Record<string, string>; egress?: boolean; onProgress?: (line: string) => void },
): Promise<{ proxyRef: string }> {
  // Validated before anything is made: a bad list fails the create, not a half-built path.
  const filter = hostsFilter(opts.allowHosts);
  const name = hostsProxyName(opts.environmentId);
  await createGateway(docker, {
    ...opts,
    inner: hostsNetworkName(opts.environmentId),
    name,
    alias: HOSTS_PROXY_ALIAS,
    role: 'hosts-proxy',
    packages: ['tinyproxy'],
    env: [`GENOS_PROXY_HOSTS=${filter}`],
    cmd: startScript,
  });
  return { proxyRef: name };
}

/** Writes the settings (they name the inner subnet, known once the network exists) and the list, then runs the proxy. */
const startScript = (innerSubnet: string) => [
  'sh',
  '-c',
  `printf '%s' "$GENOS_PROXY_HOSTS" > /tmp/hosts && cat > /tmp/tinyproxy.conf <<'CONF'\n${hostsProxyConfig({ innerSubnet, filterFile: '/tmp/hosts' })}CONF\nexec tinyproxy -d -c /tmp/tinyproxy.conf`,
];

/** Removes the proxy and its inner network (the driver then removes the egress network). Idempotent. */
export async function removeHostsPath(docker: Dockerode, environmentId: string): Promise<void> {
  await removeGateway(docker, { inner: hostsNetworkName(environmentId), name: hostsProxyName(environmentId) });
}
