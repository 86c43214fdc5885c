import type Dockerode from 'dockerode';
import { MANAGED_LABEL, networkName } from './container-config';
import { ignoreStatus } from './docker-status';


/**
 * An environment that asked for internet gets a bridge network of its own:
 * outbound NAT through Docker, and no path to any other environment.
 */
export async function createEgressNetwork(docker: Dockerode, environmentId: string, labels: Record<string, string> = {}): Promise<void> {
  await docker.createNetwork({
    Name: networkName(environmentId),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [MANAGED_LABEL]: 'true', ...labels },
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
  });
}

export async function removeEgressNetwork(docker: Dockerode, environmentId: string): Promise<void> {
  await ignoreStatus(docker.getNetwork(networkName(environmentId)).remove());
}
