import type { QuotaLimits, Store } from '../ports/store';
import { boundsFor, DEFAULT_QUOTA, type ResourceBounds } from '../spec/deployment-capabilities';
import { DEFAULT_LIMITS } from './enforce-quota';

/**
 * The limits that bind a user: each the smaller of their own and their
 * team's (the defaults where admins set none), priority the higher, as
 * enforceQuota applies them.
 */
export async function effectiveQuota(opts: { store: Store; userId: string; teamId?: string | null }): Promise<QuotaLimits> {
  const user = (await opts.store.quotas.find('user', opts.userId)) ?? DEFAULT_LIMITS;
  const team = opts.teamId ? ((await opts.store.quotas.find('team', opts.teamId)) ?? DEFAULT_LIMITS) : user;
  return {
    maxEnvironments: Math.min(user.maxEnvironments, team.maxEnvironments),
    maxCpu: Math.min(user.maxCpu, team.maxCpu),
    maxMemoryMiB: Math.min(user.maxMemoryMiB, team.maxMemoryMiB),
    maxDiskGiB: Math.min(user.maxDiskGiB, team.maxDiskGiB),
    maxHoursPerDay: Math.min(user.maxHoursPerDay, team.maxHoursPerDay),
    priority: Math.max(DEFAULT_LIMITS.priority, user.priority, team.priority),
  };
}

/** What one desktop may ask for: the effective quota capped by the host's size (see boundsFor). */
export async function effectiveBounds(opts: { store: Store; userId: string; teamId?: string | null; hostCpus: number; hostMemoryMiB: number; hostGpus?: number }): Promise<ResourceBounds> {
  const q = await effectiveQuota(opts);
  return boundsFor({
    quota: { cpu: q.maxCpu, memoryMiB: q.maxMemoryMiB, diskGiB: q.maxDiskGiB, gpu: DEFAULT_QUOTA.gpu },
    hostCpus: opts.hostCpus,
    hostMemoryMiB: opts.hostMemoryMiB,
    hostGpus: opts.hostGpus,
  });
}
