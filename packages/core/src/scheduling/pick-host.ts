import type { EnvironmentSpec } from '../spec/environment-spec';
import type { HostRecord, HostUsage } from '../ports/store';

const RUNTIME_OF: Record<EnvironmentSpec['runtime'], string> = { container: 'docker', vm: 'libvirt' };

/**
 * Chooses where an environment runs: among hosts with its runtime and room
 * for its CPU and memory, the one left with the most free memory (spreading
 * load), then the fewest environments. Null when nothing has room.
 */
export function pickHost(opts: { hosts: HostRecord[]; usage: Map<string, HostUsage>; spec: EnvironmentSpec }): HostRecord | null {
  const { spec } = opts;
  let best: { host: HostRecord; freeMemory: number; count: number } | null = null;
  for (const host of opts.hosts) {
    if (!host.runtimes.includes(RUNTIME_OF[spec.runtime])) continue;
    const used = opts.usage.get(host.id) ?? { cpu: 0, memoryMiB: 0, environments: 0 };
    const freeCpu = host.cpuCapacity - used.cpu;
    const freeMemory = host.memoryMiB - used.memoryMiB;
    if (freeCpu + 1e-9 < spec.resources.cpu || freeMemory < spec.resources.memoryMiB) continue;
    const left = freeMemory - spec.resources.memoryMiB;
    if (!best || left > best.freeMemory || (left === best.freeMemory && used.environments < best.count)) {
      best = { host, freeMemory: left, count: used.environments };
    }
  }
  return best?.host ?? null;
}

/** Whether any host could ever run the spec (empty), or why not. */
export function hostFitProblem(hosts: HostRecord[], spec: EnvironmentSpec): string | null {
  const capable = hosts.filter((h) => h.runtimes.includes(RUNTIME_OF[spec.runtime]));
  if (!capable.length) return null; // no host up right now: wait in the queue
  const fits = capable.some((h) => h.cpuCapacity >= spec.resources.cpu && h.memoryMiB >= spec.resources.memoryMiB);
  if (fits) return null;
  const biggest = capable.reduce((a, b) => (b.memoryMiB > a.memoryMiB ? b : a));
  return `no host is big enough: the largest has ${biggest.cpuCapacity} vCPUs and ${biggest.memoryMiB} MiB, the spec asks for ${spec.resources.cpu} vCPUs and ${spec.resources.memoryMiB} MiB`;
}
