import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../web/src/server/api/root';

/** A real tRPC client of the running server; authenticates with a bearer token. */
export async function connect() {
  const url = (process.env.GENOS_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  let token = process.env.GENOS_TOKEN;
  if (!token) {
    const email = process.env.GENOS_EMAIL ?? process.env.GENOS_ADMIN_EMAIL ?? 'admin@genos.local';
    const password = process.env.GENOS_PASSWORD ?? process.env.GENOS_ADMIN_PASSWORD;
    if (!password) throw new Error('set GENOS_TOKEN, or GENOS_EMAIL and GENOS_PASSWORD (or GENOS_ADMIN_PASSWORD)');
    const anon = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson })] });
    ({ token } = await anon.auth.issueToken.mutate({ email, password, name: 'genos-cli', ttlHours: 1 }));
  }
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })],
  });
}

export type Client = Awaited<ReturnType<typeof connect>>;
