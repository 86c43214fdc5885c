/**
 * Runtime-level figures, measured on the drivers directly (no web stack, so
 * they exclude GenOS's API and queue overhead that ttff_container_* include):
 *   vm_cold_ttff_ms           libvirt create → start → first guacd `img` (VM image cached)
 *   vm_resume_ttff_ms         suspended VM (managedsave) → resume → first `img`
 *   container_resume_ttff_ms  paused container → unpause → first `img`
 * plus the cold VM's breakdown (overlay + define, QEMU start, guest kernel +
 * initrd, guest init to X, X to desktop, guacd). Standalone: `npx tsx bench/runtime-bench.ts`.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import Dockerode from 'dockerode';
import { DEFAULT_SPEC, type EnvironmentSpec, type RuntimeDriver } from '@genos/core';
import { createDockerDriver } from '../apps/worker/src/docker/docker-driver';
import { probeGuacd } from '../apps/worker/src/display/guacd-probe';
import { createLibvirtDriver } from '../apps/worker/src/libvirt/libvirt-driver';
import { ensureVmBaseImage } from '../apps/worker/src/libvirt/vm-image';

type Results = Record<string, { value: number; unit: string }>;
const GUACD = { host: '127.0.0.1', port: 4822 };
const stateDir = '/var/lib/genos/bench';
const labels = { 'genos.instance': 'bench' };
const RUNS = Number(process.env.BENCH_VM_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function frame(driver: RuntimeDriver, ref: string): Promise<void> {
  const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 60_000 });
  await probeGuacd({ guacd: GUACD, vnc: endpoint, timeoutMs: 30_000 });
}

async function resumeTtff(driver: RuntimeDriver, ref: string): Promise<number> {
  await frame(driver, ref);
  await driver.suspend(ref);
  const t0 = performance.now();
  await driver.resume(ref);
  await frame(driver, ref);
  return performance.now() - t0;
}

/** Guest uptime (s) at each milestone the init prints on the serial console. */
async function guestMarks(log: string): Promise<Record<string, number>> {
  const text = await fs.readFile(log, 'latin1');
  const mark = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    init: mark(/\[genos-vm-init\] mounted ([\d.]+)/),
    modules: mark(/\[genos-vm-init\] modules ([\d.]+)/),
    xorg: mark(/\[genos-vm-init\] xorg ([\d.]+)/),
    ready: mark(/genos-desktop-ready ([\d.]+)/),
  };
}

export async function benchRuntimes(log: (l: string) => void = console.log): Promise<Results> {
  const results: Results = {};
  const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 1 } };

  // Containers: pause/unpause (the Docker driver's suspend).
  const docker = createDockerDriver({ docker: new Dockerode({ socketPath: '/var/run/docker.sock' }), stateDir, labels });
  const cTimes: number[] = [];
  const cid = `rbc${Date.now().toString(36)}`;
  try {
    const { runtimeRef } = await docker.create({ environmentId: cid, spec });
    await docker.start(runtimeRef);
    for (let i = 0; i < RUNS; i++) cTimes.push(await resumeTtff(docker, runtimeRef));
  } finally {
    await docker.terminate({ environmentId: cid, runtimeRef: null });
    await docker.bridges.closeAll();
  }
  results.container_resume_ttff_ms = { value: Math.round(median(cTimes)), unit: 'ms' };
  log(`container resume ttff runs (ms): ${cTimes.map(Math.round).join(', ')}`);

  if (!existsSync('/dev/kvm')) {
    log('no /dev/kvm: VM figures skipped');
    return results;
  }
  await ensureVmBaseImage({ onProgress: (l) => log(`[vm-image] ${l}`) });
  const vm = createLibvirtDriver({ stateDir, labels });
  const vmSpec: EnvironmentSpec = { ...spec, runtime: 'vm' };
  const cold: number[] = [];
  const resumes: number[] = [];
  const parts: Record<string, number[]> = { create: [], qemu_start: [], guest_kernel_initrd: [], guest_init_to_x: [], x_to_desktop: [], socket_to_frame: [] };
  for (let i = 0; i < RUNS; i++) {
    const id = `rbv${Date.now().toString(36)}${i}`;
    try {
      const t0 = performance.now();
      const { runtimeRef } = await vm.create({ environmentId: id, spec: vmSpec });
      const t1 = performance.now();
      await vm.start(runtimeRef);
      const t2 = performance.now();
      await frame(vm, runtimeRef);
      const t3 = performance.now();
      cold.push(t3 - t0);
      const g = await guestMarks(vm.consoleLogFor(id));
      parts.create!.push(t1 - t0);
      parts.qemu_start!.push(t2 - t1);
      parts.guest_kernel_initrd!.push(g.init! * 1000);
      parts.guest_init_to_x!.push((g.xorg! - g.init!) * 1000);
      parts.x_to_desktop!.push((g.ready! - g.xorg!) * 1000);
      // What is left: VNC socket, bridge, guacd handshake, first img after the guest said ready.
      parts.socket_to_frame!.push(t3 - t2 - g.ready! * 1000);
      resumes.push(await resumeTtff(vm, runtimeRef));
    } finally {
      await vm.terminate({ environmentId: id, runtimeRef: null });
    }
  }
  await vm.bridges.closeAll();
  results.vm_cold_ttff_ms = { value: Math.round(median(cold)), unit: 'ms' };
  results.vm_resume_ttff_ms = { value: Math.round(median(resumes)), unit: 'ms' };
  for (const [k, xs] of Object.entries(parts)) results[`vm_cold_${k}_ms`] = { value: Math.round(median(xs)), unit: 'ms' };
  log(`vm cold ttff runs (ms): ${cold.map(Math.round).join(', ')}; resume: ${resumes.map(Math.round).join(', ')}`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchRuntimes();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(34)} ${String(v.value).padStart(8)}  ${v.unit}`);
  process.exit(0);
}
