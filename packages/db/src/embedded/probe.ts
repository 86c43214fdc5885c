// One cheap connection attempt that classifies the outcome, so the caller can
// decide between "use it", "start it", "create the database" or "give up".
import pg from 'pg';

export type ProbeResult =
  | { state: 'ok' }
  | { state: 'down'; reason: string } // nothing listening (yet)
  | { state: 'starting' } // server up but not accepting connections yet
  | { state: 'no-database' } // server answers, database missing
  | { state: 'error'; error: Error }; // e.g. wrong password: do not retry

export async function probe(url: string, timeoutMs = 3000): Promise<ProbeResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {}); // late socket errors must not crash the caller
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { state: 'ok' };
  } catch (e) {
    const error = e as Error & { code?: string };
    if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT' || error.code === 'ECONNRESET') {
      return { state: 'down', reason: error.message };
    }
    if (error.code === '57P03') return { state: 'starting' };
    if (error.code === '3D000') return { state: 'no-database' };
    return { state: 'error', error };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Poll until the server answers (or definitely refuses us). */
export async function waitForServer(url: string, timeoutMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe(url);
    if (result.state !== 'down' && result.state !== 'starting') return result;
    if (Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
