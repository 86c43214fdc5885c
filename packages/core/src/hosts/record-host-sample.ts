import type { HostSample, Store } from '../ports/store';
import type { Readiness } from '../ops/check-readiness';

/** How long samples are kept: the Hosts page draws the last hours; a day covers yesterday's same hour. */
export const HOST_SAMPLE_RETENTION_MS = 24 * 3600_000;

/**
 * A worker's minute of history: what its host holds (placed vCPUs, memory,
 * environments), with whether its dependencies answered. Kept by GenOS itself,
 * so the Hosts page can draw use over the last hours without a metrics server.
 * Samples older than a day are removed as new ones come.
 */
export async function recordHostSample(opts: { store: Store; hostId: string; readiness: Readiness; now?: Date }): Promise<HostSample> {
  const at = opts.now ?? new Date();
  const usage = (await opts.store.transaction((tx) => tx.hosts.usage())).get(opts.hostId) ?? { cpu: 0, memoryMiB: 0, environments: 0 };
  const sample: HostSample = { hostId: opts.hostId, at, cpu: usage.cpu, memoryMiB: usage.memoryMiB, environments: usage.environments, ready: opts.readiness.ready };
  await opts.store.hosts.recordSample(sample, { ...opts.readiness, at });
  await opts.store.hosts.pruneSamples(new Date(at.getTime() - HOST_SAMPLE_RETENTION_MS));
  return sample;
}
