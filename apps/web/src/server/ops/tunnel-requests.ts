import { createHash } from 'node:crypto';
import { TUNNEL_TOKEN_TTL_MS } from '@genos/core';

/**
 * The request id of the tRPC call that minted each tunnel token, so the
 * display connection the browser opens with it logs under the same id (the
 * token itself cannot carry it: its claims are core's). Kept by the token's
 * sha256, never the token, for as long as a token lives; taken once, as the
 * token is single-use. On globalThis: the tRPC routes (Next's bundle) write
 * it, the tunnel (server.ts) reads it.
 */
const MAX_ENTRIES = 10_000;
const g = globalThis as unknown as { __genosTunnelRequests?: Map<string, { requestId: string; until: number }> };
const entries = () => (g.__genosTunnelRequests ??= new Map());
const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The tRPC procedures whose result carries a tunnel token. */
export const TUNNEL_TOKEN_PATHS = new Set(['environments.connectionToken', 'environments.share.open', 'admin.observe']);

export function rememberTunnelRequest(token: string, requestId: string, now = Date.now()): void {
  const map = entries();
  for (const [k, v] of map) if (v.until <= now || map.size >= MAX_ENTRIES) map.delete(k);
  map.set(keyOf(token), { requestId, until: now + TUNNEL_TOKEN_TTL_MS });
}

export function takeTunnelRequest(token: string, now = Date.now()): string | undefined {
  const key = keyOf(token);
  const found = entries().get(key);
  entries().delete(key);
  return found && found.until > now ? found.requestId : undefined;
}
