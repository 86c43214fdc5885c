import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SPEC, type RuntimeDriver } from '@genos/core';
import { DisplayBridges } from '../display/display-bridge';
import { createDriverRegistry } from './driver-registry';

function fake(kind: 'docker' | 'libvirt', prefix: string, bridges: DisplayBridges) {
  return {
    kind,
    bridges,
    socketDirFor: (id: string) => `/s/displays/${id}`,
    vmDirFor: (id: string) => `/nonexistent/vms/${id}`,
    create: vi.fn(async ({ environmentId }: { environmentId: string }) => ({ runtimeRef: `${prefix}${environmentId}` })),
    start: vi.fn(async () => {}),
    suspend: vi.fn(async () => {}),
    resume: vi.fn(async () => {}),
    terminate: vi.fn(async () => {}),
    inspect: vi.fn(async () => ({ exists: true, state: 'running' as const })),
    displayEndpoint: vi.fn(async () => ({ protocol: 'vnc' as const, host: '127.0.0.1', port: 1 })),
    list: vi.fn(async () => [{ environmentId: kind, runtimeRef: `${prefix}${kind}`, state: 'running' as const }]),
  } satisfies RuntimeDriver & Record<string, unknown>;
}

describe('driver registry', () => {
  const bridges = new DisplayBridges();
  const docker = fake('docker', 'genos-env-', bridges);
  const libvirt = fake('libvirt', 'genos-vm-', bridges);
  const registry = createDriverRegistry({ docker, libvirt });

  it('creates by spec.runtime and routes the rest by runtimeRef', async () => {
    expect(await registry.create({ environmentId: 'a', spec: DEFAULT_SPEC })).toEqual({ runtimeRef: 'genos-env-a' });
    expect(await registry.create({ environmentId: 'b', spec: { ...DEFAULT_SPEC, runtime: 'vm' } })).toEqual({ runtimeRef: 'genos-vm-b' });
    await registry.suspend('genos-vm-b');
    await registry.resume('genos-env-a');
    expect(libvirt.suspend).toHaveBeenCalledWith('genos-vm-b');
    expect(docker.resume).toHaveBeenCalledWith('genos-env-a');
    expect(docker.suspend).not.toHaveBeenCalled();
    expect(registry.runtimes).toEqual(['docker', 'libvirt']);
    expect((await registry.list()).map((s) => s.environmentId)).toEqual(['docker', 'libvirt']);
  });

  it('terminates an unknown runtime on Docker, and on libvirt only when it made something', async () => {
    await registry.terminate({ environmentId: 'c', runtimeRef: null });
    expect(docker.terminate).toHaveBeenCalledWith({ environmentId: 'c', runtimeRef: null });
    expect(libvirt.terminate).not.toHaveBeenCalled();
  });

  it('refuses VMs without a libvirt driver and leaves Docker as it was', async () => {
    const dockerOnly = createDriverRegistry({ docker });
    expect(dockerOnly.runtimes).toEqual(['docker']);
    await expect(dockerOnly.create({ environmentId: 'd', spec: { ...DEFAULT_SPEC, runtime: 'vm' } })).rejects.toThrow(/runs no VMs/);
    await expect(dockerOnly.start('genos-env-d')).resolves.toBeUndefined();
  });
});
