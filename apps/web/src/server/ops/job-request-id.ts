import type { Enqueue } from '@genos/db';
import { currentRequestId } from './logger';

/**
 * Jobs enqueued during a tRPC call carry its request id (`requestId` beside
 * the job's own data), so the worker's lines for that job can be found with
 * the same grep as the web's.
 */
export const withCurrentRequestId =
  (enqueue: Enqueue): Enqueue =>
  (name, data, exec) => {
    const requestId = currentRequestId();
    return enqueue(name, requestId ? { ...data, requestId } : data, exec);
  };
