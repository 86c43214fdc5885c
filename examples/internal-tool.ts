/**
 * An internal tool driving GenOS through its tRPC API with a scoped API token.
 *
 *   npx genos token issue my-tool --scopes environments:read,environments:write --ttl-hours 720
 *   GENOS_URL=http://127.0.0.1:3000 GENOS_TOKEN=genos_… npx tsx examples/internal-tool.ts
 *
 * It creates a small desktop, waits until it runs, lists what the token's
 * owner can see, and terminates the desktop again. The token only needs
 * `environments:read` and `environments:write`; a call outside its scopes
 * answers FORBIDDEN, an expired or revoked token UNAUTHORIZED.
 *
 * Types come from the server's router (AppRouter), so inputs and outputs are
 * checked at compile time; superjson keeps dates as Date objects.
 */
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../apps/web/src/server/api/root';

const url = (process.env.GENOS_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const token = process.env.GENOS_TOKEN;
if (!token) throw new Error('set GENOS_TOKEN (npx genos token issue NAME --scopes environments:read,environments:write)');

const genos = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })],
});

/** environments.waitFor answers within at most `timeoutMs`; ask again until the deadline. */
async function waitForRunning(id: string, deadlineMs = 5 * 60_000) {
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

async function main() {
  // 1. Create: a spec as the composer would write it (`npx genos compose --json "…"` prints one).
  //    Add `teamId` to create it in a team (you need role member or above there; the team's quota applies).
  const spec = {
    apiVersion: 'genos.dev/v1',
    name: 'internal-tool-demo',
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
  };
  const created = await genos.environments.create.mutate({ spec, request: 'internal tool demo' });
  console.log(`created ${created.id} (${created.state})`);

  try {
    // 2. Wait until it runs (woken by live changes on the server, no polling).
    const running = await waitForRunning(created.id);
    console.log(`${running.id} is ${running.state}`);

    // 3. List: your own desktops, and your teams' where you are owner, admin or viewer.
    const all = await genos.environments.list.query({ includeTerminated: false });
    for (const env of all) console.log(`${env.id}\t${env.state}\t${env.name}`);
  } finally {
    // 4. Terminate, whatever happened above.
    const ended = await genos.environments.terminate.mutate({ id: created.id });
    console.log(`terminating ${ended.id}`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof TRPCClientError) console.error(`GenOS said ${String(e.data?.code)}: ${e.message}`);
  else console.error(e);
  process.exit(1);
});
