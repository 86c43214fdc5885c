// One RuntimeDriver in front of several: create picks the driver by
// spec.runtime ('container' → Docker, 'vm' → libvirt), every other call by the
// runtimeRef's prefix (genos-vm-… is a libvirt domain). The Docker driver is
// used exactly as before; VMs are an addition when this host has KVM.
import { existsSync } from 'node:fs';
import { AppError, type RuntimeDriver, type RuntimeSandbox } from '@genos/core';
import type { DisplayBridges } from '../display/display-bridge';
import { DOMAIN_PREFIX } from '../libvirt/domain-xml';

type WithBridges = RuntimeDriver & { bridges: DisplayBridges; socketDirFor(id: string): string };

export interface DriverRegistryOptions {
  docker: WithBridges;
  /** Present when this host runs VMs (KVM + libvirtd); must share the Docker driver's bridges. */
  libvirt?: WithBridges & { vmDirFor(id: string): string };
}

export function createDriverRegistry(opts: DriverRegistryOptions): WithBridges & { runtimes: Array<'docker' | 'libvirt'> } {
  const { docker, libvirt } = opts;
  if (libvirt && libvirt.bridges !== docker.bridges) throw new Error('the drivers must share one DisplayBridges');
  const byRef = (runtimeRef: string): RuntimeDriver => {
    if (!runtimeRef.startsWith(DOMAIN_PREFIX)) return docker;
    if (!libvirt) throw new AppError('UNAVAILABLE', `${runtimeRef} is a VM but this worker runs no libvirt driver`);
    return libvirt;
  };
  return {
    kind: 'docker',
    runtimes: libvirt ? ['docker', 'libvirt'] : ['docker'],
    bridges: docker.bridges,
    socketDirFor: (id) => docker.socketDirFor(id),
    async create(o) {
      if (o.spec.runtime !== 'vm') return docker.create(o);
      if (!libvirt) throw new AppError('UNSUPPORTED', 'this host runs no VMs (no /dev/kvm or libvirt)');
      return libvirt.create(o);
    },
    start: (ref) => byRef(ref).start(ref),
    suspend: (ref) => byRef(ref).suspend(ref),
    resume: (ref) => byRef(ref).resume(ref),
    inspect: (ref) => byRef(ref).inspect(ref),
    displayEndpoint: (ref, o) => byRef(ref).displayEndpoint(ref, o),
    async resizeDisplay(ref, size) {
      const driver = byRef(ref);
      if (!driver.resizeDisplay) throw new AppError('UNSUPPORTED', `${driver.kind} desktops keep their screen size; the picture is scaled`);
      await driver.resizeDisplay(ref, size);
    },
    async terminate(o) {
      if (o.runtimeRef) return byRef(o.runtimeRef).terminate(o);
      // Unknown runtime (provisioning cut short): Docker as before, libvirt only if it made something.
      await docker.terminate(o);
      if (libvirt && existsSync(libvirt.vmDirFor(o.environmentId))) await libvirt.terminate(o);
    },
    async sweep(): Promise<void> {
      await docker.sweep?.();
      await libvirt?.sweep?.();
    },

    async list(): Promise<RuntimeSandbox[]> {
      // A libvirt failure fails the whole list: reconciliation must not read "no VMs" as "VMs gone".
      return [...(await docker.list()), ...(libvirt ? await libvirt.list() : [])];
    },
  };
}
