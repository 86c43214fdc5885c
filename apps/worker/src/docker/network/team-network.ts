import type Dockerode from 'dockerode';
import { dockerStatus } from '../docker-status';
import { createGuardedNetwork, removeGuardedNetwork } from './bridge-network';
import { TEAM_LABEL, teamNetworkName } from './names';

const locks = new Map<string, Promise<unknown>>();
/**
 * One team network's joins and removal, one at a time in this worker: a removal
 * between "ensure the network" and "join it" (or between dropping the network
 * and its firewall rules) could otherwise leave a member on a network without
 * its rules. Different teams never wait for each other.
 */
export function withTeamNetwork<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(name) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(name, tail);
  void tail.then(() => {
    if (locks.get(name) === tail) locks.delete(name);
  });
  return run;
}

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

/**
 * Removes a team network once no container is attached. `gone`: the container
 * just removed, whose endpoint Docker may still be tearing down (remove then
 * answers 403 "active endpoints"): waited for, up to 5 s. Any other member,
 * including one joining meanwhile, keeps the network.
 */
export function removeTeamNetworkIfEmpty(docker: Dockerode, name: string, gone?: string): Promise<void> {
  return withTeamNetwork(name, () => removeIfEmpty(docker, name, gone));
}

async function removeIfEmpty(docker: Dockerode, name: string, gone?: string): Promise<void> {
  const until = Date.now() + 5000;
  for (;;) {
    try {
      const info = await docker.getNetwork(name).inspect();
      // A member is a container that still exists: an endpoint left by one removed from outside is not.
      const listed = Object.keys(info.Containers ?? {}).filter((id) => id !== gone);
      const alive = await Promise.all(listed.map((id) => docker.getContainer(id).inspect().then(() => true, (err) => dockerStatus(err) !== 404)));
      if (alive.some(Boolean)) return;
      // Joins happen under the same lock, so nobody can join between this check and the removal.
      return await removeGuardedNetwork(docker, name);
    } catch (e) {
      const status = dockerStatus(e);
      if (status === 404) return;
      if (status !== 403 && status !== 409) throw e;
    }
    if (Date.now() > until) return; // reconciliation's sweep removes it later
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Team networks with no member left (a terminate that gave up, a crashed create): removed by reconciliation. */
export async function removeEmptyTeamNetworks(docker: Dockerode, labels: Record<string, string> = {}): Promise<void> {
  const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const networks = await docker.listNetworks({ filters: { name: [teamNetworkName('')], ...(label.length ? { label } : {}) } });
  for (const n of networks) await removeTeamNetworkIfEmpty(docker, n.Name);
}
