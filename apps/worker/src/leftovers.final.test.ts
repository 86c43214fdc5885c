import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { mountsUnder, TEST_INSTANCE_PREFIX, TEST_LABEL, TEST_STATE_ROOT } from '@genos/db/testing';
import { INSTANCE_LABEL } from './docker/container-config';
import { DOMAIN_PREFIX, METADATA_NS, parseMetadata } from './libvirt/domain-xml';

// Everything a test makes is labelled genos.test=true and/or with an instance of its own
// starting with TEST_INSTANCE_PREFIX (freshTestState; the e2e stack's t-e2e-…), and keeps its
// state in a folder under TEST_STATE_ROOT. E2E_INSTANCE, when set, is the e2e stack's instance.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const isTestInstance = (instance: string | undefined) =>
  !!instance && (instance.startsWith(TEST_INSTANCE_PREFIX) || instance === process.env.E2E_INSTANCE);
const isTestObject = (labels: Record<string, string> | undefined | null) => labels?.[TEST_LABEL] === 'true' || isTestInstance(labels?.[INSTANCE_LABEL]);

const virsh = (...args: string[]) => execFileSync('virsh', ['--quiet', '-c', 'qemu:///system', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const hasVirsh = (() => {
  try {
    execFileSync('virsh', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('after the whole suite', () => {
  it('leaves no container, network or volume of a test behind', async () => {
    // Listed by label key (and genos.test), then matched by the instance's prefix here.
    const filters = [{ label: [INSTANCE_LABEL] }, { label: [`${TEST_LABEL}=true`] }];
    const containers = new Map<string, string>();
    const networks = new Map<string, string>();
    const volumes = new Map<string, string>();
    for (const f of filters) {
      for (const c of await docker.listContainers({ all: true, filters: f })) if (isTestObject(c.Labels)) containers.set(c.Id, `${c.Names.join(',')} (${c.Labels[INSTANCE_LABEL] ?? ''})`);
      for (const n of await docker.listNetworks({ filters: f })) if (isTestObject(n.Labels)) networks.set(n.Id, `${n.Name} (${n.Labels?.[INSTANCE_LABEL] ?? ''})`);
      for (const v of (await docker.listVolumes({ filters: f })).Volumes ?? []) if (isTestObject(v.Labels)) volumes.set(v.Name, `${v.Name} (${v.Labels?.[INSTANCE_LABEL] ?? ''})`);
    }
    expect([...containers.values()]).toEqual([]);
    expect([...networks.values()]).toEqual([]);
    expect([...volumes.values()]).toEqual([]);
  });

  it('leaves no state folder behind', async () => {
    const entries = await fs.readdir(TEST_STATE_ROOT).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    expect(entries).toEqual([]);
  });

  it('leaves nothing mounted (an encrypted Transfer folder or home) under the test state root', async () => {
    expect(await mountsUnder(TEST_STATE_ROOT)).toEqual([]);
  });

  // VM desktops are named genos-vm-<environment id>; their instance is in the domain's metadata.
  it.skipIf(!hasVirsh)('leaves no VM of a test behind', () => {
    let names: string[];
    try {
      names = virsh('list', '--all', '--name').split('\n').map((n) => n.trim()).filter((n) => n.startsWith(DOMAIN_PREFIX));
    } catch {
      return; // libvirtd is not running: no domain can be left
    }
    const left = names.filter((name) => {
      try {
        return isTestObject(parseMetadata(virsh('metadata', name, METADATA_NS))?.labels);
      } catch {
        return false; // gone meanwhile, or no GenOS metadata
      }
    });
    expect(left).toEqual([]);
  });
});
