import type Dockerode from 'dockerode';
import { networkName } from './container-config';
import { createGuardedNetwork, removeGuardedNetwork } from './network/bridge-network';


/**
 * An environment that asked for internet gets a bridge network of its own:
 * outbound NAT through Docker, and nothing else. Docker alone would also let
 * it reach the host (through the bridge gateway) and private ranges; the
 * firewall in ./network/firewall.ts closes both before the container joins.
 */
export async function createEgressNetwork(docker: Dockerode, environmentId: string, labels: Record<string, string> = {}): Promise<void> {
  await createGuardedNetwork(docker, { name: networkName(environmentId), profile: 'egress', labels });
}

export async function removeEgressNetwork(docker: Dockerode, environmentId: string): Promise<void> {
  await removeGuardedNetwork(docker, networkName(environmentId));
}
