/**
 * Runtime-level figures, measured on the drivers directly (no web stack, so
 * they exclude GenOS's API and queue overhead that ttff_container_* include):
 *   vm_cold_ttff_ms           libvirt create → start → first guacd `img` (VM image cached)
 *   vm_resume_ttff_ms         suspended VM (managedsave) → resume → first `img`
 *   container_resume_ttff_ms  paused container → unpause → first `img`
 * plus the cold VM's breakdown (overlay + define, QEMU start, guest kernel +
 * initrd, guest init to X, X to desktop, guacd). Standalone: `npx tsx bench/runtime-bench.ts`.
 *
 * It runs as an instance of its own (bench-<random>) with a state dir of its own (under the
 * system's temporary folder): everything it made is removed at the end, when it fails, and on
 * Ctrl+C (then it exits 130).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { DEFAULT_SPEC, type EnvironmentSpec, type RuntimeDriver } from '@genos/core';
import { INSTANCE_LABEL } from '../apps/worker/src/docker/container-config';
import { createDockerDriver } from '../apps/worker/src/docker/docker-driver';
import { probeGuacd } from '../apps/worker/src/display/guacd-probe';
import { createLibvirtDriver } from '../apps/worker/src/libvirt/libvirt-driver';
import { ensureVmBaseImage } from '../apps/worker/src/libvirt/vm-image';

type Results = Record<string, { value: number; unit: string }>;
const GUACD = { host: '127.0.0.1', port: 4822 };
const RUNS = Number(process.env.BENCH_VM_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function frame(driver: RuntimeDriver, ref: string): Promise<void> {
  const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 60_000 });
  await probeGuacd({ guacd: GUACD, display: endpoint, timeoutMs: 30_000 });
}

const resumeCalls: number[] = [];
async function resumeTtff(driver: RuntimeDriver, ref: string): Promise<number> {
  await frame(driver, ref);
  await driver.suspend(ref);
  const t0 = performance.now();
  await driver.resume(ref);
  resumeCalls.push(performance.now() - t0);
  await frame(driver, ref);
  return performance.now() - t0;
}

/** Host time (performance.now) at which each milestone the guest init prints first shows in its console log. */
function watchConsole(log: string): { stop(): Record<string, number> } {
  const marks: Record<string, number> = {};
  const patterns: Record<string, RegExp> = { init: /genos-vm-init\] mounted/, xorg: /genos-vm-init\] xorg/, ready: /genos-desktop-ready/ };
  const timer = setInterval(() => {
    void fs.readFile(log, 'latin1').then((text) => {
      const now = performance.now();
      for (const [k, re] of Object.entries(patterns)) if (!(k in marks) && re.test(text)) marks[k] = now;
    }, () => {});
  }, 20);
  return { stop: () => (clearInterval(timer), marks) };
}

const BENCH_STATE_ROOT = '/var/lib/genos';

export interface BenchState {
  /** bench-<random>: the genos.instance label of everything this run makes. */
  instance: string;
  stateDir: string;
}

/** An instance and a state dir of this bench run's own, new (nothing of an earlier run is used). */
export async function freshBenchState(): Promise<BenchState> {
  const instance = `bench-${randomBytes(3).toString('hex')}`;
  // Under /var/lib/genos, like a real deployment's: the contained guacd sees only the GenOS state roots.
  await fs.mkdir(BENCH_STATE_ROOT, { recursive: true, mode: 0o711 });
  return { instance, stateDir: await fs.mkdtemp(path.join(BENCH_STATE_ROOT, `${instance}-`)) };
}

/**
 * Removes everything labelled with the run's instance (desktops with their networks and folders,
 * any other container, network or volume, VMs) and then its state dir. Idempotent; failures are
 * logged, not thrown, so one stuck object does not keep the rest.
 */
export async function removeBenchState(state: BenchState, log: (l: string) => void = console.log): Promise<void> {
  const warn = (what: string) => (e: unknown) => log(`clean-up: ${what}: ${(e as Error).message}`);
  const labels = { [INSTANCE_LABEL]: state.instance };
  const filters = { label: [`${INSTANCE_LABEL}=${state.instance}`] };
  const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const containers = createDockerDriver({ docker, stateDir: state.stateDir, labels });
  const desktops = await containers.list().catch((e: unknown) => {
    warn('listing desktops')(e);
    return [];
  });
  for (const s of desktops) {
    await containers.terminate(s).catch(warn(`desktop ${s.environmentId}`));
  }
  await containers.bridges.closeAll();
  for (const c of await docker.listContainers({ all: true, filters }).catch(() => [])) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(warn(`container ${c.Names.join(',')}`));
  }
  for (const n of await docker.listNetworks({ filters }).catch(() => [])) await docker.getNetwork(n.Id).remove().catch(warn(`network ${n.Name}`));
  for (const v of (await docker.listVolumes({ filters }).catch(() => ({ Volumes: [] }))).Volumes ?? []) {
    await docker.getVolume(v.Name).remove().catch(warn(`volume ${v.Name}`));
  }
  // Firewall chains of the networks removed above.
  await containers.sweep?.().catch(warn('firewall chains'));
  if (existsSync('/dev/kvm')) {
    const vms = createLibvirtDriver({ stateDir: state.stateDir, labels });
    for (const s of await vms.list().catch(() => [])) await vms.terminate(s).catch(warn(`VM ${s.environmentId}`));
    await vms.bridges.closeAll();
  }
  await fs.rm(state.stateDir, { recursive: true, force: true }).catch(warn(state.stateDir));
}

const interruptCleanups = new Set<() => Promise<void>>();
let interrupted = false;
function onSignal(signal: NodeJS.Signals): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (interrupted) {
    console.error(`${signal} again: quitting without finishing the clean-up`);
    process.exit(code);
  }
  interrupted = true;
  console.error(`\n${signal}: removing what the bench made (${signal} again to quit at once)…`);
  // Twice: a create that was under way when the signal came may finish during the first pass.
  const pass = () => Promise.allSettled([...interruptCleanups].map((cleanup) => cleanup()));
  void pass()
    .then(pass)
    .finally(() => process.exit(code));
}

/**
 * Runs `cleanup` on Ctrl+C (SIGINT) or SIGTERM, after which the process exits 130 (143 for
 * SIGTERM). Returns the function that unregisters it.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  if (!interruptCleanups.size) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  interruptCleanups.add(cleanup);
  return () => {
    interruptCleanups.delete(cleanup);
    if (!interruptCleanups.size && !interrupted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}

export async function benchRuntimes(log: (l: string) => void = console.log): Promise<Results> {
  const state = await freshBenchState();
  log(`instance ${state.instance}, state dir ${state.stateDir}`);
  const cleanUp = () => removeBenchState(state, log);
  const unregister = onInterrupt(cleanUp);
  try {
    return await measureRuntimes(state.stateDir, { [INSTANCE_LABEL]: state.instance }, log);
  } finally {
    // Still registered meanwhile: a Ctrl+C during this clean-up cleans up to the end too (it is idempotent), then exits.
    await cleanUp();
    unregister();
  }
}

async function measureRuntimes(stateDir: string, labels: Record<string, string>, log: (l: string) => void): Promise<Results> {
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
    results.container_resume_ttff_ms = { value: Math.round(median(cTimes)), unit: 'ms' };
    log(`container resume ttff runs (ms): ${cTimes.map(Math.round).join(', ')}`);
  } catch (e) {
    log(`container resume figure failed: ${(e as Error).message}`);
  } finally {
    await docker.terminate({ environmentId: cid, runtimeRef: null });
    await docker.bridges.closeAll();
  }

  if (!existsSync('/dev/kvm')) {
    log('no /dev/kvm: VM figures skipped');
    return results;
  }
  await ensureVmBaseImage({ onProgress: (l) => log(`[vm-image] ${l}`) });
  const vm = createLibvirtDriver({ stateDir, labels });
  log(`VMs run on ${vm.accel === 'kvm' ? 'KVM' : 'QEMU TCG (this /dev/kvm cannot boot stock kernels)'}`);
  results.vm_accel_is_kvm = { value: vm.accel === 'kvm' ? 1 : 0, unit: 'bool' };
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
      const watch = watchConsole(vm.consoleLogFor(id));
      await vm.start(runtimeRef);
      const t2 = performance.now();
      await frame(vm, runtimeRef);
      const t3 = performance.now();
      const m = watch.stop();
      cold.push(t3 - t0);
      parts.create!.push(t1 - t0);
      parts.qemu_start!.push(t2 - t1);
      parts.guest_kernel_initrd!.push(m.init! - t2);
      parts.guest_init_to_x!.push(m.xorg! - m.init!);
      parts.x_to_desktop!.push(m.ready! - m.xorg!);
      // Seen ready → VNC bridge, guacd handshake, first img (includes up to 20 ms of polling).
      parts.socket_to_frame!.push(t3 - m.ready!);
      resumes.push(await resumeTtff(vm, runtimeRef));
    } finally {
      await vm.terminate({ environmentId: id, runtimeRef: null });
    }
  }
  await vm.bridges.closeAll();
  results.vm_cold_ttff_ms = { value: Math.round(median(cold)), unit: 'ms' };
  results.vm_resume_ttff_ms = { value: Math.round(median(resumes)), unit: 'ms' };
  results.vm_resume_restore_call_ms = { value: Math.round(median(resumeCalls.slice(-resumes.length))), unit: 'ms' };
  for (const [k, xs] of Object.entries(parts)) results[`vm_cold_${k}_ms`] = { value: Math.round(median(xs)), unit: 'ms' };
  log(`vm cold ttff runs (ms): ${cold.map(Math.round).join(', ')}; resume: ${resumes.map(Math.round).join(', ')}`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchRuntimes();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(34)} ${String(v.value).padStart(8)}  ${v.unit}`);
  process.exit(0);
}
