import type Dockerode from 'dockerode';
import { ensureAppLayer } from '../../images/build-app-layer';
import { ignoreStatus } from '../docker-status';
import { networkName, sandboxHostConfig } from '../container-config';
import { createGuardedNetwork, removeGuardedNetwork } from './bridge-network';
import {
  GATEWAY_FOR_LABEL,
  ROLE_LABEL,
  TOR_DNS_PORT,
  TOR_GATEWAY_ALIAS,
  TOR_SOCKS_PORT,
  TOR_TRANS_PORT,
  torGatewayName,
  torNetworkName,
} from './names';

const MANAGED_LABEL = 'genos.managed';
const GATEWAY_UID = 1000;

/**
 * The tor mode: the environment sits alone with a Tor client on an internal
 * Docker network (no route out, firewalled from the host). The gateway is
 * the only member with a second network, an egress bridge of its own under
 * the same firewall as the egress mode. Apps reach the internet only through
 * its SocksPort (and TransPort/DNSPort for tools that cannot use a proxy).
 *
 * `egress: false` leaves the gateway without its outside network: Tor then has
 * no route anywhere (the tests use it so nothing leaves the machine).
 */
export async function createTorPath(
  docker: Dockerode,
  opts: { environmentId: string; labels?: Record<string, string>; egress?: boolean; onProgress?: (line: string) => void },
): Promise<{ gatewayRef: string }> {
  const { environmentId } = opts;
  const inner = torNetworkName(environmentId);
  const outer = networkName(environmentId);
  const labels = { [MANAGED_LABEL]: 'true', ...opts.labels };
  // The gateway image is an app layer like any other: the Debian base plus `tor`.
  const { tag } = await ensureAppLayer({ docker, packages: ['tor'], onProgress: opts.onProgress });
  await createGuardedNetwork(docker, { name: inner, profile: 'internal', labels, icc: true });
  const subnet = (await docker.getNetwork(inner).inspect()).IPAM?.Config?.[0]?.Subnet;
  if (!subnet) throw new Error(`network ${inner} has no IPv4 subnet`);
  if (opts.egress !== false) await createGuardedNetwork(docker, { name: outer, profile: 'egress', labels });

  const container = await docker.createContainer({
    name: torGatewayName(environmentId),
    Image: tag,
    User: `${GATEWAY_UID}:${GATEWAY_UID}`,
    Cmd: [
      'tor',
      '--DataDirectory', '/tmp/tor',
      '--Log', 'notice stdout',
      // Listen on every address of the container, answer only the inner network.
      '--SocksPort', `0.0.0.0:${TOR_SOCKS_PORT}`,
      '--SocksPolicy', `accept ${subnet},reject *`,
      '--TransPort', `0.0.0.0:${TOR_TRANS_PORT}`,
      '--DNSPort', `0.0.0.0:${TOR_DNS_PORT}`,
      '--AvoidDiskWrites', '1',
    ],
    Labels: { ...labels, [ROLE_LABEL]: 'tor-gateway', [GATEWAY_FOR_LABEL]: environmentId },
    StopTimeout: 2,
    HostConfig: {
      // Same sandbox as an environment: no capabilities, read-only, limited.
      ...sandboxHostConfig(),
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=64m,uid=${GATEWAY_UID},gid=${GATEWAY_UID}` },
      NetworkMode: inner,
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 0.5e9,
      PidsLimit: 64,
      IpcMode: 'private',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
    },
    NetworkingConfig: { EndpointsConfig: { [inner]: { Aliases: [TOR_GATEWAY_ALIAS] } } },
  });
  if (opts.egress !== false) await docker.getNetwork(outer).connect({ Container: container.id });
  await ignoreStatus(container.start(), [304]);
  return { gatewayRef: torGatewayName(environmentId) };
}

/** Removes the gateway and both networks. Idempotent. Call after the environment's container is gone. */
export async function removeTorPath(docker: Dockerode, environmentId: string): Promise<void> {
  await ignoreStatus(docker.getContainer(torGatewayName(environmentId)).remove({ force: true, v: true }), [404, 409]);
  await removeGuardedNetwork(docker, torNetworkName(environmentId));
  await removeGuardedNetwork(docker, networkName(environmentId));
}
