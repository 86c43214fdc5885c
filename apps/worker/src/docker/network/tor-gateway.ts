import type Dockerode from 'dockerode';
import { createGateway, removeGateway } from './gateway-container';
import { TOR_DNS_PORT, TOR_GATEWAY_ALIAS, TOR_SOCKS_PORT, TOR_TRANS_PORT, torGatewayName, torNetworkName } from './names';

/**
 * The tor mode: the environment sits alone with a Tor client on an internal
 * network (gateway-container.ts). Apps reach the internet only through its
 * SocksPort (and TransPort/DNSPort for tools that cannot use a proxy).
 *
 * `egress: false` leaves the gateway without its outside network: Tor then has
 * no route anywhere (the tests use it so nothing leaves the machine).
 */
export async function createTorPath(
  docker: Dockerode,
  opts: { environmentId: string; labels?: Record<string, string>; egress?: boolean; onProgress?: (line: string) => void },
): Promise<{ gatewayRef: string }> {
  const name = torGatewayName(opts.environmentId);
  await createGateway(docker, {
    ...opts,
    inner: torNetworkName(opts.environmentId),
    name,
    alias: TOR_GATEWAY_ALIAS,
    role: 'tor-gateway',
    // The gateway image is an app layer like any other: the Debian base plus `tor`.
    packages: ['tor'],
    cmd: (subnet) => [
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
  });
  return { gatewayRef: name };
}

/** Removes the gateway and its inner network (the driver then removes the egress network). Idempotent. */
export async function removeTorPath(docker: Dockerode, environmentId: string): Promise<void> {
  await removeGateway(docker, { inner: torNetworkName(environmentId), name: torGatewayName(environmentId) });
}
