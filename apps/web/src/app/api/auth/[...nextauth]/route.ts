import type { NextRequest } from 'next/server';
import { handlers } from '@/server/auth/auth';

/**
 * Auth.js's server actions build callback URLs from the Host header, but a
 * NextRequest's URL comes from Next's own hostname and turns 127.0.0.1 into
 * "localhost". An OIDC redirect_uri must be identical in the authorization and
 * token requests, so the handlers get a plain Request with the URL the browser
 * used. AUTH_URL, when set, still wins (Auth.js applies it).
 */
async function asRequested(req: NextRequest): Promise<NextRequest> {
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (!host || process.env.AUTH_URL) return req;
  const proto = (req.headers.get('x-forwarded-proto') ?? req.nextUrl.protocol).split(',')[0]!.replace(/:$/, '').trim();
  const url = new URL(`${req.nextUrl.pathname}${req.nextUrl.search}`, `${proto}://${host}`);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer();
  return new Request(url, { method: req.method, headers: req.headers, body }) as NextRequest;
}

export const GET = async (req: NextRequest) => handlers.GET(await asRequested(req));
export const POST = async (req: NextRequest) => handlers.POST(await asRequested(req));
