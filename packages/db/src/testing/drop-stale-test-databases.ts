// Test databases left behind by runs that crashed before drop(). Only
// databases whose creating process is gone are dropped, so concurrent test
// runs on the same server are left alone. The pid check only means something
// when the server is on this machine, so remote servers are skipped.
import { TEST_DB_PREFIX } from './create-test-database.ts';
import { quoteIdent, withAdminClient } from './admin-connection.ts';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function dropStaleTestDatabases(url: string): Promise<string[]> {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return [];
  return withAdminClient(url, async (c) => {
    const r = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      TEST_DB_PREFIX.replaceAll('_', '\\_') + '%',
    ]);
    const dropped: string[] = [];
    for (const { datname } of r.rows) {
      const pid = Number(/^genos_test_(\d+)_/.exec(datname)?.[1]);
      if (!pid || processAlive(pid)) continue;
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      dropped.push(datname);
    }
    return dropped;
  });
}
