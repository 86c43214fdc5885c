import { HOST_JOB_NAMES } from '@genos/core';

/**
 * A pg-boss queue name as metric labels: host queues are `<job>.<host>`
 * (hostQueue in core), so `queue` stays one of a few job names and the host
 * becomes its own label instead of multiplying the queue label per host.
 */
export function queueLabels(queueName: string): { queue: string; host: string } {
  for (const job of HOST_JOB_NAMES) {
    if (queueName.startsWith(`${job}.`)) return { queue: job, host: queueName.slice(job.length + 1) };
  }
  return { queue: queueName, host: '' };
}
