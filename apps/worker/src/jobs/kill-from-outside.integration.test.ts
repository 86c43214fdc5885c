import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, DEFAULT_SPEC, destroyEnvironment, provisionEnvironment, reconcileHost, terminateEnvironment, TOR_UNREACHABLE, type Actor, type EnvironmentSpec, type Store } from '@genos/core';
import type { PgBoss } from '@genos/db';
import { createWorkerTestBed, freshTestState, type TestDatabase } from '@genos/db/testing';
import { networkName } from '../docker/container-config';
import { createDockerDriver } from '../docker/docker-driver';
import { chainNames, listFirewallChains } from '../docker/network/firewall';
import { teamNetworkName, torGatewayName, torNetworkName } from '../docker/network/names';
import { watchTorGateway } from '../docker/network/watch-tor-gateway';
import { createLogger } from '../logger';

// A desktop removed from outside GenOS (`docker rm -f`, as an admin or a crash would), in
// each network mode: reconciliation fails its environment with a reason a user can read and
// removes everything made for it (gateway, networks, firewall chains, folders). Running it
// again finds nothing to do and reports no error: it converges. Real PostgreSQL, Docker, iptables.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('kill-outside');
// tor: the gateway gets no outside network, so Tor never sends a packet off the machine.
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, gatewayEgress: false });
const HOST = 'kill-outside-host';
let db: TestDatabase;
let boss: PgBoss;
let store: Store;
let user: Actor;
let teamId = '';

const small: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const withMode = (mode: EnvironmentSpec['network']['mode']): EnvironmentSpec => ({ ...small, network: { ...small.network, mode } });

/** A running desktop in `mode` (the host heartbeats first: the scheduler only places work on live hosts). */
async function launch(mode: EnvironmentSpec['network']['mode']) {
  await store.hosts.heartbeat(HOST);
  const env = await createEnvironment({ store, actor: user, spec: withMode(mode), teamId: mode === 'team' ? teamId : null });
  const running = await provisionEnvironment({ store, driver, id: env.id, hostName: HOST });
  expect(running?.state, running?.error ?? `not provisioned: ${env.state} on ${env.host}`).toBe('running');
  return env;
}

/** What is still there of one environment: containers, networks, firewall chains, folders. */
async function leftovers(environmentId: string) {
  const label = [`genos.instance=${state.instance}`];
  const containers = (await docker.listContainers({ all: true, filters: { label } })).map((c) => c.Names[0]).filter((n) => n?.includes(environmentId));
  // Its own networks, and the team's (which goes with its last member).
  const names = [networkName(environmentId), torNetworkName(environmentId), teamNetworkName(teamId)];
  const networks = (await docker.listNetworks({ filters: { label } })).map((n) => n.Name).filter((n) => names.includes(n));
  const ours = names.flatMap((n) => Object.values(chainNames(n)));
  const chains = (await listFirewallChains()).filter((c) => ours.includes(c));
  const exists = (p: string) => fs.stat(p).then(() => true, () => false);
  const folders = [];
  for (const p of [path.join(state.stateDir, 'displays', environmentId), path.join(state.stateDir, 'transfer', environmentId)]) if (await exists(p)) folders.push(p);
  return { containers, networks, chains, folders };
}

beforeAll(async () => {
  ({ db, boss, store, user } = await createWorkerTestBed({ hostId: HOST, email: 'kill-outside@genos.test' }));
  teamId = (await db.prisma.team.create({ data: { name: 'Kill', slug: `kill-${state.instance}` } })).id;
  await db.prisma.membership.create({ data: { userId: user.id!, teamId, role: 'member' } });
}, 600_000);

afterAll(async () => {
  try {
    for (const s of await driver.list().catch(() => [])) await driver.terminate(s).catch(() => undefined);
    await driver.sweep?.().catch(() => undefined);
    await boss?.stop({ graceful: false });
    await db?.drop();
  } finally {
    await state.remove();
  }
});

describe('a desktop removed from outside GenOS', () => {
  for (const mode of ['none', 'egress', 'tor', 'team'] as const) {
    it(`network ${mode}: the environment fails with a reason, and nothing made for it is left`, async () => {
      const env = await launch(mode);
      const before = await leftovers(env.id);
      expect(before.containers).toContain(`/genos-env-${env.id}`);
      if (mode === 'tor') expect(before.containers).toContain(`/${torGatewayName(env.id)}`);
      if (mode !== 'none') expect(before.chains.length).toBeGreaterThan(0);

      await docker.getContainer(`genos-env-${env.id}`).remove({ force: true });
      const first = await reconcileHost({ store, driver, hostName: HOST });
      expect(first.errors).toEqual([]);
      expect(first.failed.map((f) => f.environmentId)).toEqual([env.id]);

      const after = await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
      expect(after.state).toBe('failed');
      expect(after.error).toBe('its container was removed outside GenOS; please launch again');
      expect(await leftovers(env.id)).toEqual({ containers: [], networks: [], chains: [], folders: [] });

      // Converged: the next runs find nothing to repair and say nothing.
      for (let i = 0; i < 2; i++) expect(await reconcileHost({ store, driver, hostName: HOST })).toEqual({ removed: [], failed: [], back: [], errors: [] });
    });
  }

  it('a desktop killed from outside says so', async () => {
    const env = await launch('none');
    await docker.getContainer(`genos-env-${env.id}`).kill({ signal: 'SIGKILL' });
    const report = await reconcileHost({ store, driver, hostName: HOST });
    expect(report.failed.map((f) => f.environmentId)).toEqual([env.id]);
    const after = await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(after.error).toBe('the desktop was stopped from outside GenOS; please launch again');
    expect(await leftovers(env.id)).toEqual({ containers: [], networks: [], chains: [], folders: [] });
  });

  it('one clean-up that breaks does not stop the others, and the next run finishes it', async () => {
    const stuck = await launch('egress');
    const fine = await launch('egress');
    for (const env of [stuck, fine]) await docker.getContainer(`genos-env-${env.id}`).remove({ force: true });
    // A fake around the real driver: its first terminate of `stuck` breaks before touching anything.
    let broken = true;
    const flaky = {
      ...driver,
      terminate: async (o: Parameters<typeof driver.terminate>[0]) => {
        if (o.environmentId === stuck.id && broken) {
          broken = false;
          throw new Error('network genos-net-x has active endpoints');
        }
        return driver.terminate(o);
      },
    };
    const first = await reconcileHost({ store, driver: flaky, hostName: HOST });
    expect(first.errors).toEqual([{ environmentId: stuck.id, step: 'fail', error: 'network genos-net-x has active endpoints' }]);
    expect(first.failed.map((f) => f.environmentId).sort()).toEqual([stuck.id, fine.id].sort());
    expect(await leftovers(fine.id)).toEqual({ containers: [], networks: [], chains: [], folders: [] });
    // Its network is still there, so the next run sees it and removes it.
    expect((await leftovers(stuck.id)).networks).toEqual([networkName(stuck.id)]);
    const second = await reconcileHost({ store, driver: flaky, hostName: HOST });
    expect(second).toMatchObject({ errors: [], removed: [{ environmentId: stuck.id }] });
    expect(await leftovers(stuck.id)).toEqual({ containers: [], networks: [], chains: [], folders: [] });
    expect(await reconcileHost({ store, driver: flaky, hostName: HOST })).toEqual({ removed: [], failed: [], back: [], errors: [] });
  });

  it('a Tor gateway that cannot reach Tor: the desktop says so, and terminate leaves nothing', async () => {
    const env = await launch('tor');
    // This gateway has no outside network (gatewayEgress false): Tor can never connect.
    await watchTorGateway({ docker, store, environmentId: env.id, timeoutMs: 3000, keepWatchingMs: 0, log: createLogger('silent') });
    const warned = await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect({ state: warned.state, warning: warned.warning }).toEqual({ state: 'running', warning: TOR_UNREACHABLE });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { targetId: env.id, action: 'environment.network-problem' } });
    expect(JSON.stringify(audit.after)).toMatch(/detail/);

    await terminateEnvironment({ store, actor: user, id: env.id });
    expect((await destroyEnvironment({ store, driver, id: env.id }))?.state).toBe('terminated');
    expect(await leftovers(env.id)).toEqual({ containers: [], networks: [], chains: [], folders: [] });
  });
});
