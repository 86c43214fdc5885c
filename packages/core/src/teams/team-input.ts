import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error';
import { TEAM_ROLES } from '../ports/store';

export const teamIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a team id');
export const userIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a user id');
export const invitationIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an invitation id');
export const teamNameSchema = z.string().trim().min(1, 'name the team').max(80);
export const teamRoleSchema = z.enum(TEAM_ROLES);
export const inviteEmailSchema = z.string().trim().toLowerCase().email().max(254);
/** The secret in an invitation link: `inv_` and 32 base64url characters. */
export const invitationTokenSchema = z.string().min(8).max(200);

/** Invitations last a week. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Use-cases check their input themselves, whatever the transport did. */
export function parseTeamInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('VALIDATION', `invalid ${what}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}
