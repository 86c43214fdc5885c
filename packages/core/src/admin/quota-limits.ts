import { z } from 'zod';
import { AppError } from '../errors/app-error';

/** Ids are cuids (or the seeded ones): letters and digits only. */
export const subjectIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a user or team id');
export const quotaScopeSchema = z.enum(['user', 'team']);

/**
 * What an admin may set. Nonsense is refused with the reason: no negative
 * numbers, at least one environment, room for the smallest desktop.
 */
export const quotaLimitsSchema = z
  .object({
    maxEnvironments: z.number().int().min(1, 'a quota must allow at least one environment').max(1000),
    maxCpu: z.number().finite().positive('maxCpu must be more than zero').max(4096),
    maxMemoryMiB: z.number().int().min(256, 'maxMemoryMiB must be at least 256 (the smallest desktop)').max(64 * 1024 * 1024),
    maxDiskGiB: z.number().int().min(1, 'maxDiskGiB must be at least 1').max(1_000_000),
    maxHoursPerDay: z.number().finite().positive('maxHoursPerDay must be more than zero').max(24_000),
    priority: z.number().int().min(0, 'priority is 0 (normal) to 100').max(100, 'priority is 0 (normal) to 100'),
  })
  .strict();

/** Parses admin input in the domain too (callers other than tRPC exist), refusing with a VALIDATION error that names the fields. */
export function parseAdminInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('VALIDATION', `${what} refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
