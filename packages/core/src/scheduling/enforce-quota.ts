import { AppError } from '../errors/app-error';
import type { QuotaLimits, Tx } from '../ports/store';
import { fmtMiB } from '../spec/check-supported';
import type { EnvironmentSpec } from '../spec/environment-spec';

/** Limits for users and teams that admins have not set. */
export const DEFAULT_LIMITS: QuotaLimits = { maxEnvironments: 5, maxCpu: 8, maxMemoryMiB: 16_384, maxDiskGiB: 100, maxHoursPerDay: 40, priority: 0 };

const DAY_MS = 24 * 3600_000;

/**
 * Refuses a create that would take the user or their team over quota. Runs
 * inside the create's transaction behind an advisory lock per subject, so
 * concurrent creates by one user are counted one after another and can
 * never overshoot together. Returns the scheduling priority to record.
 */
export async function enforceQuota(opts: { tx: Tx; ownerId: string; teamId: string | null; spec: EnvironmentSpec; now?: Date }): Promise<{ priority: number }> {
  const { tx, spec } = opts;
  const since = new Date((opts.now ?? new Date()).getTime() - DAY_MS);
  const subjects: ['user' | 'team', string][] = [['user', opts.ownerId]];
  if (opts.teamId) subjects.push(['team', opts.teamId]);
  let priority = 0;
  for (const [scope, id] of subjects) {
    await tx.lock(`genos:quota:${scope}:${id}`);
    const limits = (await tx.quotas.find(scope, id)) ?? DEFAULT_LIMITS;
    priority = Math.max(priority, limits.priority);
    const used = await tx.quotas.usage(scope, id, since);
    const who = scope === 'user' ? 'your' : "your team's";
    const over = (what: string, detail: string) => {
      throw new AppError('QUOTA_EXCEEDED', `${who} quota allows ${what}: ${detail}`, { scope, limits, used });
    };
    if (used.environments + 1 > limits.maxEnvironments) over(`${limits.maxEnvironments} environment${limits.maxEnvironments === 1 ? '' : 's'} at once`, `${used.environments} ${used.environments === 1 ? 'is' : 'are'} already live; terminate one first`);
    if (used.cpu + spec.resources.cpu > limits.maxCpu) over(`${limits.maxCpu} vCPUs`, `${used.cpu} in use, ${spec.resources.cpu} asked`);
    if (used.memoryMiB + spec.resources.memoryMiB > limits.maxMemoryMiB) over(`${fmtMiB(limits.maxMemoryMiB)} of memory`, `${fmtMiB(used.memoryMiB)} in use, ${fmtMiB(spec.resources.memoryMiB)} asked`);
    if (used.diskGiB + spec.resources.diskGiB > limits.maxDiskGiB) over(`${limits.maxDiskGiB} GiB of disk`, `${used.diskGiB} GiB in use, ${spec.resources.diskGiB} GiB asked`);
    if (used.hoursSince >= limits.maxHoursPerDay) over(`${limits.maxHoursPerDay} environment-hours per day`, `${used.hoursSince.toFixed(1)} used in the last 24 hours`);
  }
  return { priority };
}
