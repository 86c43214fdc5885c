// Short-lived superuser-ish connections for CREATE/DROP DATABASE, which
// cannot run inside a transaction or through Prisma.
import pg from 'pg';
import { withDatabase } from '../migrate/migration-adapter.ts';

export async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // Connect to the maintenance database, not the target: a database cannot
  // be dropped (or used as a template) while we are connected to it.
  let client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    // A managed server may not let us into `postgres`; the URL's own
    // database still works for everything except dropping itself.
    const code = (error as { code?: string }).code;
    if (code !== '3D000' && code !== '42501' && code !== '28000') throw error;
    client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}
