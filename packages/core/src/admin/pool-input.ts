import { z } from 'zod';

export const poolIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a pool id');
export const poolNameSchema = z.string().min(1).max(48).regex(/^[a-z0-9][a-z0-9-]*$/, 'pool names are lowercase letters, digits and dashes');
/** A pool holds running desktops: keep it small. */
export const poolSizeSchema = z.number().int().min(0, 'pool size is 0 to 20').max(20, 'pool size is 0 to 20');
