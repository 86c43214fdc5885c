import fs from 'node:fs/promises';
import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { INSTANCE_LABEL, MANAGED_LABEL } from './docker/container-config';

// Everything the suite creates carries genos.instance=test (or genos.test=true).
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const TEST_FILTERS = [[`${INSTANCE_LABEL}=test`], ['genos.test=true']];

describe('after the whole suite', () => {
  it('leaves no GenOS container, network or volume behind', async () => {
    for (const label of TEST_FILTERS) {
      const containers = await docker.listContainers({ all: true, filters: { label } });
      expect(containers.map((c) => c.Names.join(','))).toEqual([]);
      const networks = await docker.listNetworks({ filters: { label } });
      expect(networks.map((n) => n.Name)).toEqual([]);
      const { Volumes } = await docker.listVolumes({ filters: { label } });
      expect((Volumes ?? []).map((v) => v.Name)).toEqual([]);
    }
    const managedNetworks = await docker.listNetworks({ filters: { label: [`${MANAGED_LABEL}=true`] } });
    expect(managedNetworks.filter((n) => n.Labels?.[INSTANCE_LABEL] === 'test')).toEqual([]);
  });

  it('leaves no display socket folder behind', async () => {
    const entries = await fs.readdir('/var/lib/genos/test/displays').catch(() => []);
    expect(entries).toEqual([]);
  });
});
