import { z } from 'zod';
import { databaseHopProblem } from './database-hop.ts';
import { GuacdHopError, resolveGuacdHop } from './guacd-hop.ts';

const flag = z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true');

/** The settings for hops to guacd and the database, shared by the web app's and the worker's env.ts. */
export const hopSettingsShape = {
  GUACD_HOST: z.string().default('127.0.0.1'),
  GUACD_PORT: z.coerce.number().int().default(4822),
  // guacd's unix socket; default: the contained guacd's own (scripts/start-guacd.sh) when guacd is on this machine.
  GUACD_SOCKET: z.string().startsWith('/').optional(),
  // TLS to guacd (started with -C/-K); required when guacd is on another machine.
  GUACD_TLS: flag,
  GUACD_TLS_CA_FILE: z.string().startsWith('/').optional(),
  // The name guacd's certificate must carry (default GUACD_HOST).
  GUACD_TLS_SERVERNAME: z.string().min(1).optional(),
  // Accept plain-text or unverified hops to guacd or PostgreSQL on other machines. Off: such settings are refused.
  GENOS_ALLOW_PLAINTEXT_REMOTE: flag,
};

type HopSettings = { DATABASE_URL: string } & z.output<z.ZodObject<typeof hopSettingsShape>>;

/** A zod superRefine: refuses a plain-text hop to another machine, naming the setting to change. */
export function checkHops(s: HopSettings, ctx: z.RefinementCtx) {
  const db = databaseHopProblem(s.DATABASE_URL, { allowPlaintextRemote: s.GENOS_ALLOW_PLAINTEXT_REMOTE });
  if (db) ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: db });
  try {
    resolveGuacdHop(s, () => false);
  } catch (e) {
    if (!(e instanceof GuacdHopError)) throw e;
    ctx.addIssue({ code: 'custom', path: ['GUACD_HOST'], message: e.message });
  }
}
