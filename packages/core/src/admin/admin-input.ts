import { z } from 'zod';

/** Ids are cuids (or the seeded ones): letters and digits only. */
export const adminIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an id');
export const globalRoleSchema = z.enum(['admin', 'user']);
