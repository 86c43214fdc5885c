/**
 * What the examples share: a typed tRPC client over an API token, waiting
 * until a desktop runs, and the small xterm desktop they create.
 */
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../apps/web/src/server/api/root';

export type GenosApi = ReturnType<typeof createTRPCClient<AppRouter>>;

/** GENOS_URL and GENOS_TOKEN; `batch: false` sends one request per call, so a long wait never holds up another call. */
export function connectGenos(opts: { scopes: string; batch?: boolean }): GenosApi {
  const url = (process.env.GENOS_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const token = process.env.GENOS_TOKEN;
  if (!token) throw new Error(`set GENOS_TOKEN (npx genos token issue NAME --scopes ${opts.scopes})`);
  const link = (opts.batch ?? true ? httpBatchLink : httpLink)({ url: `${url}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } });
  return createTRPCClient<AppRouter>({ links: [link] });
}

/** environments.waitFor answers within at most `timeoutMs`; ask again until the deadline. */
export async function waitForRunning(genos: GenosApi, id: string, deadlineMs = 5 * 60_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await genos.environments.waitFor.query({ id, states: ['running', 'failed', 'terminated'], timeoutMs: Math.min(60_000, Math.max(1, deadline - Date.now())) });
    } catch (e) {
      if (e instanceof TRPCClientError && e.data?.code === 'TIMEOUT' && Date.now() < deadline) continue;
      throw e;
    }
  }
}

/** A container desktop with xterm at 1280x800, as `npx genos compose --json` writes it. */
export const xtermDesktopSpec = (name: string) => ({
  apiVersion: 'genos.dev/v1',
  name,
  os: { family: 'linux', distro: 'debian', release: '12' },
  desktop: 'openbox',
  runtime: 'container',
  isolation: 'standard',
  apps: ['xterm'],
  packages: [],
  resources: { cpu: 1, memoryMiB: 1024, diskGiB: 4, gpu: 0 },
  network: { mode: 'none', allowHosts: [] },
  display: { protocol: 'vnc', width: 1280, height: 800 },
  lifetime: { idleSuspendMinutes: 30, maxHours: 1 },
  persistence: { homeVolume: false },
});
