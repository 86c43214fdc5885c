import type Dockerode from 'dockerode';
import { dockerStatus, ignoreStatus } from '../docker-status';
import { applyFirewall, bridgeName, removeFirewall, type FirewallProfile } from './firewall';

const MANAGED_LABEL = 'genos.managed';

/**
 * A bridge network of GenOS's own with its host firewall. The Linux bridge
 * gets a deterministic name (gn-<hash>) so the iptables rules can match it
 * by interface. The rules are in place before any container joins.
 * Idempotent: an existing network with our bridge name only gets its rules refreshed.
 */
export async function createGuardedNetwork(
  docker: Dockerode,
  opts: { name: string; profile: FirewallProfile; labels?: Record<string, string>; icc?: boolean },
): Promise<void> {
  const bridge = bridgeName(opts.name);
  try {
    await docker.createNetwork({
      Name: opts.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      // internal: no default route and Docker's own DROP for traffic leaving the subnet.
      Internal: opts.profile === 'internal',
      Labels: { [MANAGED_LABEL]: 'true', ...opts.labels },
      Options: {
        'com.docker.network.bridge.name': bridge,
        'com.docker.network.bridge.enable_icc': opts.icc ? 'true' : 'false',
      },
    });
  } catch (e) {
    // 409: it exists. 403 "same bridge name": a concurrent create of the same network (a team's
    // first two desktops) won the race. Either way, use the one that exists.
    const status = dockerStatus(e);
    if (status !== 409 && status !== 403) throw e;
    const existing = await docker.getNetwork(opts.name).inspect().catch(() => {
      throw e;
    });
    const opt = (existing as { Options?: Record<string, string> }).Options ?? {};
    if (opt['com.docker.network.bridge.name'] !== bridge) {
      throw new Error(`network ${opts.name} exists without GenOS's bridge name: remove it first`);
    }
  }
  try {
    await applyFirewall({ networkName: opts.name, profile: opts.profile });
  } catch (e) {
    // Never leave a network without its rules.
    await removeGuardedNetwork(docker, opts.name).catch(() => undefined);
    throw e;
  }
}

/**
 * Removes the network and its rules, converging whatever state it is in:
 * endpoints still listed (a member whose removal is in progress, or a stale
 * endpoint Docker kept after a container vanished from outside) are
 * disconnected by force, and "has active endpoints" is retried briefly
 * instead of failing every reconcile forever. Only GenOS's own containers ever
 * join these networks, so everything on it goes with it.
 */
export async function removeGuardedNetwork(docker: Dockerode, name: string): Promise<void> {
  const network = docker.getNetwork(name);
  for (let attempt = 0; ; attempt++) {
    const info = (await network.inspect().catch((e) => {
      if (dockerStatus(e) === 404) return null;
      throw e;
    })) as { Containers?: Record<string, { Name?: string; EndpointID?: string }> } | null;
    if (!info) break;
    for (const [id, endpoint] of Object.entries(info.Containers ?? {})) {
      // A stale endpoint's container id no longer resolves; its name (ep-…) still disconnects it.
      await ignoreStatus(network.disconnect({ Container: id, Force: true }), [404, 500]);
      if (endpoint.Name) await ignoreStatus(network.disconnect({ Container: endpoint.Name, Force: true }), [404, 500]);
    }
    try {
      await ignoreStatus(network.remove());
      break;
    } catch (e) {
      const status = dockerStatus(e);
      if ((status !== 403 && status !== 409) || attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await removeFirewall(name);
}
