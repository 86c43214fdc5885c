import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { freshTestState } from '@genos/db/testing';
import { networkName } from '../container-config';
import { createDockerDriver } from '../docker-driver';
import { createEgressNetwork, removeEgressNetwork } from '../egress-network';
import { applyFirewall, chainNames, listFirewallChains } from './firewall';
import { teamNetworkName } from './names';
import { ensureTeamNetwork } from './team-network';

// What a worker crash between two steps leaves behind, and reconciliation's two ways of removing it:
// list() reports an environment's networks without their desktop as a missing sandbox (so terminate
// runs), and sweep() drops firewall chains whose network is gone. Real Docker, real iptables.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('orphans');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const stamp = Date.now().toString(36);
const orphan = `orph${stamp}`;
const kept = `kept${stamp}`;
const ghostNetwork = `genos-net-ghost${stamp}`;

afterAll(async () => {
  try {
    await driver.terminate({ environmentId: orphan, runtimeRef: null });
    await removeEgressNetwork(docker, kept);
    await driver.sweep!();
  } finally {
    await state.remove();
  }
});

describe('leftovers of interrupted work', () => {
  it('lists an egress network without its desktop as a missing sandbox, and terminate removes it with its rules', async () => {
    await createEgressNetwork(docker, orphan, state.labels);
    const { forward, input } = chainNames(networkName(orphan));
    expect(await listFirewallChains()).toEqual(expect.arrayContaining([forward, input]));
    expect(await driver.list()).toContainEqual({ environmentId: orphan, runtimeRef: `genos-env-${orphan}`, state: 'missing' });

    await driver.terminate({ environmentId: orphan, runtimeRef: `genos-env-${orphan}` });
    expect((await docker.listNetworks({ filters: { name: [networkName(orphan)] } })).length).toBe(0);
    expect(await listFirewallChains()).not.toEqual(expect.arrayContaining([forward]));
    expect((await driver.list()).some((s) => s.environmentId === orphan)).toBe(false);
  });

  it('sweeps firewall chains whose network is gone, and keeps the chains of live networks', async () => {
    await createEgressNetwork(docker, kept, state.labels);
    await applyFirewall({ networkName: ghostNetwork, profile: 'egress' });
    const ghost = chainNames(ghostNetwork);
    const live = chainNames(networkName(kept));
    expect(await listFirewallChains()).toEqual(expect.arrayContaining([ghost.forward, ghost.input, live.forward, live.input]));

    await driver.sweep!();
    const after = await listFirewallChains();
    expect(after).not.toContain(ghost.forward);
    expect(after).not.toContain(ghost.input);
    expect(after).toEqual(expect.arrayContaining([live.forward, live.input]));
    // No jump into a removed chain stays behind either.
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('iptables', ['-w', '10', '-S'], { encoding: 'utf8' })).not.toContain(ghost.forward);
  });

  it('sweeps a team network nobody is on any more (a create that failed after making it), with its rules', async () => {
    const team = `orphteam${stamp}`;
    const name = await ensureTeamNetwork(docker, team, state.labels);
    expect(name).toBe(teamNetworkName(team));
    await driver.sweep!();
    expect((await docker.listNetworks({ filters: { name: [name] } })).length).toBe(0);
    expect(await listFirewallChains()).not.toContain(chainNames(name).forward);
  });
});
