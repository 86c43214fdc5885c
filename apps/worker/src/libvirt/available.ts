import { existsSync } from 'node:fs';
import type { DisplayBridges } from '../display/display-bridge';
import { createLibvirtDriver } from './libvirt-driver';
import { findVmBase } from './vm-image';
import { virsh } from './virsh';

/**
 * The libvirt driver when this host can run VMs (/dev/kvm, libvirtd answering,
 * GENOS_VM not "off"), else undefined with the reason. The VM base image may
 * still be missing: creates then fail with a clear message until setup builds it.
 */
export async function libvirtDriverIfAvailable(opts: {
  stateDir: string;
  bridges: DisplayBridges;
  labels: Record<string, string>;
  guacdUser?: string | null;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}): Promise<ReturnType<typeof createLibvirtDriver> | undefined> {
  if (process.env.GENOS_VM === 'off') return undefined;
  if (!existsSync('/dev/kvm')) {
    opts.log.info({}, 'no /dev/kvm: VMs disabled on this host');
    return undefined;
  }
  try {
    await virsh(['version']);
  } catch (e) {
    opts.log.warn({ err: (e as Error).message }, 'libvirt unavailable: VMs disabled on this host');
    return undefined;
  }
  if (!(await findVmBase())) opts.log.warn({}, 'the VM base image is missing: VM environments fail until `npm run setup` builds it');
  return createLibvirtDriver({ stateDir: opts.stateDir, bridges: opts.bridges, labels: opts.labels, guacdUser: opts.guacdUser });
}
