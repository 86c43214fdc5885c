import { env } from '../../env';
import { auth } from '../auth/auth';
import { authenticateApiToken } from '../auth/api-tokens';
import type { SessionUser } from '../auth/verify-credentials';
import { changeFeed } from '../live/pg-change-feed';
import { services } from '../services';
import { requestIdFrom } from '../ops/logger';
import { createInnerContext } from './trpc';
import { desktopControl } from '../control/desktop-control';

/** Outer context: resolves who is calling (session cookie or bearer token) from the request. */
export async function createContext({ req }: { req: Request }) {
  const { prisma, store } = services();
  let user: SessionUser | null = null;
  let sessionId: string | null = null;
  let token: { id: string; scopes: string[] } | null = null;
  const ip = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? null;
  const bearer = req.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer) {
    // Unknown, expired or revoked: no user, so every protected procedure answers UNAUTHORIZED.
    const found = await authenticateApiToken(prisma, bearer.trim(), { ip });
    user = found?.user ?? null;
    token = found?.token ?? null;
  } else {
    const session = await auth();
    if (session?.user?.id) {
      user = { id: session.user.id, email: session.user.email ?? '', name: session.user.name ?? null, role: session.user.role };
      sessionId = session.sessionId || null;
    }
  }
  const requestId = requestIdFrom(req.headers.get('x-request-id'));
  const { engine: control, pacer: controlPacer } = desktopControl();
  return createInnerContext({
    user,
    token,
    ip,
    prisma,
    store,
    tunnelKey: env().GENOS_TUNNEL_KEY,
    changes: changeFeed(env().DATABASE_URL),
    sessionId,
    requestId,
    control,
    controlPacer,
    stateDir: env().GENOS_STATE_DIR,
  });
}
