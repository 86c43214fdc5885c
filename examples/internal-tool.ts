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
import { TRPCClientError } from '@trpc/client';
import { connectGenos, waitForRunning as waitUntilRunning, xtermDesktopSpec } from './genos-api';

const genos = connectGenos({ scopes: 'environments:read,environments:write' });
const waitForRunning = (id: string) => waitUntilRunning(genos, id);

async function main() {
  // 1. Create: a spec as the composer would write it (`npx genos compose --json "…"` prints one).
  //    Add `teamId` to create it in a team (you need role member or above there; the team's quota applies).
  const spec = xtermDesktopSpec('internal-tool-demo');

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
