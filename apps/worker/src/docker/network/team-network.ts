import type Dockerode from 'dockerode';
import { dockerStatus } from '../docker-status';
import { createGuardedNetwork, removeGuardedNetwork } from './bridge-network';
import { TEAM_LABEL, teamNetworkName } from './names';

/**
 * Network mode team: one internal bridge per team, shared by that team's
 * team-mode desktops. Members reach each other and nothing else: no default
 * route, and the 'internal' firewall profile drops traffic to the host.
 * Made by the first member, removed with the last.
 */
export async function ensureTeamNetwork(docker: Dockerode, teamId: string, labels: Record<string, string> = {}): Promise<string> {
  const name = teamNetworkName(teamId);
  await createGuardedNetwork(docker, { name, profile: 'internal', icc: true, labels: { ...labels, [TEAM_LABEL]: teamId } });
  return name;
}

/** The team networks a container is attached to (read before removing it). */
export function teamNetworksOf(info: Dockerode.ContainerInspectInfo | undefined): string[] {
  return Object.keys(info?.NetworkSettings?.Networks ?? {}).filter((n) => n.startsWith(teamNetworkName('')));
}

/** Removes a team network once no container is attached. A member joining meanwhile keeps it (Docker refuses with 403/409). */
export async function removeTeamNetworkIfEmpty(docker: Dockerode, name: string): Promise<void> {
  try {
    const info = await docker.getNetwork(name).inspect();
    if (Object.keys(info.Containers ?? {}).length > 0) return;
    await removeGuardedNetwork(docker, name);
  } catch (e) {
    const status = dockerStatus(e);
    if (status !== 404 && status !== 403 && status !== 409) throw e;
  }
}
