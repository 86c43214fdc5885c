import type Dockerode from 'dockerode';
import { ensureAppLayer } from '../../images/build-app-layer';
import { ignoreStatus } from '../docker-status';
import { networkName, sandboxHostConfig } from '../container-config';
import { createGuardedNetwork, removeGuardedNetwork } from './bridge-network';
import { GATEWAY_FOR_LABEL, ROLE_LABEL } from './names';

const MANAGED_LABEL = 'genos.managed';
const GATEWAY_UID = 1000;

/**
 * The shape the tor and named-hosts modes share: the environment sits alone
 * with one helper (a Tor client, a filtering proxy) on an internal Docker
 * network of its own (no route out, firewalled from the host). The helper is
 * the only member with a second network, an egress bridge of its own under
 * the same firewall as the egress mode, so the environment reaches the
 * outside only through what the helper lets through.
 *
 * `egress: false` leaves the helper without its outside network (tests use it
 * so nothing leaves the machine).
 */
export async function createGateway(
  docker: Dockerode,
  opts: {
    environmentId: string;
    /** The inner network's name. */
    inner: string;
    name: string;
    /** The DNS name the environment reaches the helper by. */
    alias: string;
    role: string;
    /** Debian packages of the helper's image (an app layer on the desktop base). */
    packages: string[];
    /** The helper's command, given the inner network's IPv4 subnet (the only clients it should answer). */
    cmd: (innerSubnet: string) => string[];
    env?: string[];
    labels?: Record<string, string>;
    egress?: boolean;
    onProgress?: (line: string) => void;
  },
): Promise<void> {
  const outer = networkName(opts.environmentId);
  const labels = { [MANAGED_LABEL]: 'true', ...opts.labels };
  const { tag } = await ensureAppLayer({ docker, packages: opts.packages, onProgress: opts.onProgress });
  await createGuardedNetwork(docker, { name: opts.inner, profile: 'internal', labels, icc: true });
  const subnet = (await docker.getNetwork(opts.inner).inspect()).IPAM?.Config?.[0]?.Subnet;
  if (!subnet) throw new Error(`network ${opts.inner} has no IPv4 subnet`);
  if (opts.egress !== false) await createGuardedNetwork(docker, { name: outer, profile: 'egress', labels });

  const container = await docker.createContainer({
    name: opts.name,
    Image: tag,
    User: `${GATEWAY_UID}:${GATEWAY_UID}`,
    Cmd: opts.cmd(subnet),
    Env: opts.env ?? [],
    Labels: { ...labels, [ROLE_LABEL]: opts.role, [GATEWAY_FOR_LABEL]: opts.environmentId },
    StopTimeout: 2,
    HostConfig: {
      // Same sandbox as an environment: no capabilities, read-only, limited.
      ...sandboxHostConfig(),
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=64m,uid=${GATEWAY_UID},gid=${GATEWAY_UID}` },
      NetworkMode: opts.inner,
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 0.5e9,
      PidsLimit: 64,
      IpcMode: 'private',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
    },
    NetworkingConfig: { EndpointsConfig: { [opts.inner]: { Aliases: [opts.alias] } } },
  });
  if (opts.egress !== false) await docker.getNetwork(outer).connect({ Container: container.id });
  await ignoreStatus(container.start(), [304]);
}

/**
 * Removes the helper and its inner network. Idempotent. Call after the environment's container is
 * gone. The outer network is the environment's egress network: removeEgressNetwork removes it (once,
 * whatever the mode), after this.
 */
export async function removeGateway(docker: Dockerode, opts: { inner: string; name: string }): Promise<void> {
  await ignoreStatus(docker.getContainer(opts.name).remove({ force: true, v: true }), [404, 409]);
  await removeGuardedNetwork(docker, opts.inner);
}
