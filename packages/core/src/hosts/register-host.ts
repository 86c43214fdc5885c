import { z } from 'zod';
import { AppError } from '../errors/app-error';
import type { HostRecord, Store } from '../ports/store';

/** Host ids become queue names: lowercase letters, digits and dashes. */
export const HOST_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

const hostSchema = z
  .object({
    id: z.string().regex(HOST_ID, 'host names are lowercase letters, digits and dashes (at most 40)'),
    cpuCapacity: z.number().finite().positive('CPU capacity must be more than zero').max(4096),
    memoryMiB: z.number().int().min(512, 'a host needs at least 512 MiB of memory').max(64 * 1024 * 1024),
    runtimes: z.array(z.enum(['docker', 'libvirt'])).min(1, 'a host must offer at least one runtime'),
    guacdHost: z.string().min(1).max(253),
    guacdPort: z.number().int().min(1).max(65_535),
    version: z.string().max(64).nullable(),
    guacdVersion: z.string().max(64).nullable().optional(),
  })
  .strict();

/**
 * Records a worker's host and its capacity. Nonsense (negative CPUs, no
 * runtime, a bad port) is refused with the reason, so one broken worker
 * cannot poison scheduling for everyone.
 */
export async function registerHost(opts: { store: Store; host: unknown }): Promise<HostRecord> {
  const parsed = hostSchema.safeParse(opts.host);
  if (!parsed.success) {
    throw new AppError('VALIDATION', `host registration refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return opts.store.hosts.register(parsed.data);
}

/** "Worker A.example" → "worker-a-example": a default host id from a machine name. */
export const hostIdFrom = (name: string): string =>
  name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'host';
