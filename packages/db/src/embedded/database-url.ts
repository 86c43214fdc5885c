// For CLI scripts: DATABASE_URL if set, otherwise the embedded server
// (started on demand), so `npm run deploy` works on a fresh checkout.
import { ensurePostgres } from './ensure-postgres.ts';

export async function databaseUrlForScripts(log: (m: string) => void = (m) => console.error(m)): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const { url, started } = await ensurePostgres({ log: (m) => log(`[ensure-postgres] ${m}`) });
  log(`DATABASE_URL not set; using the embedded PostgreSQL${started ? ' (started now)' : ''}`);
  return url;
}
