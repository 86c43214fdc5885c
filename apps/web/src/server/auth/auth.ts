import NextAuth, { CredentialsSignin, type DefaultSession, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { headers } from 'next/headers';
import { z } from 'zod';
import { env } from '../../env';
import { oidcConfig } from './oidc-config';
import { services } from '../services';
import { linkOidcUser } from './oidc';
import { checkSession, createSession, revokeSessions, SESSION_MAX_AGE_S } from './sessions';
import { attemptPasswordSignIn, type SignInFailure } from './sign-in';

declare module 'next-auth' {
  interface Session {
    user: { id: string; role: 'admin' | 'user' } & DefaultSession['user'];
    /** The Session row this browser session is bound to (listed and revoked on /settings/security). */
    sessionId: string;
  }
}

const credentialsSchema = z.object({
  email: z.string().email().max(254),
  password: z.string().min(1).max(1024),
  code: z.string().max(64).optional(),
});

/**
 * A failed credentials sign-in with a safe, specific code. Auth.js puts `code`
 * in the redirect URL and, for server actions, throws this error itself.
 * Codes: credentials · totp-required · totp-invalid · disabled · locked-N · rate-limited-N (N minutes).
 */
export class SignInRefused extends CredentialsSignin {
  constructor(failure: SignInFailure) {
    super(failure.reason);
    this.code = 'minutes' in failure ? `${failure.reason}-${failure.minutes}` : failure.reason === 'invalid' ? 'credentials' : failure.reason;
  }
}

/** The client's address: server.ts replaces X-Forwarded-For with the socket's address unless GENOS_TRUST_PROXY=1. */
export const clientIp = (h: Headers): string | null => h.get('x-forwarded-for')?.split(',')[0]?.trim() || h.get('x-real-ip') || null;

async function requestMeta(): Promise<{ ip: string | null; userAgent: string | null }> {
  try {
    const h = await headers();
    return { ip: clientIp(h), userAgent: h.get('user-agent') };
  } catch {
    return { ip: null, userAgent: null };
  }
}

function config(): NextAuthConfig {
  const oidc = oidcConfig(env());
  return {
    trustHost: true,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: '/signin', error: '/signin' },
    providers: [
      Credentials({
        credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' }, code: { label: 'Code' } },
        authorize: async (raw, request) => {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) throw new SignInRefused({ ok: false, reason: 'invalid' });
          const result = await attemptPasswordSignIn(services().prisma, { ...parsed.data, ip: clientIp(request.headers) });
          if (!result.ok) throw new SignInRefused(result);
          return { ...result.user, method: 'credentials' };
        },
      }),
      ...(oidc
        ? [
            {
              id: 'oidc',
              name: oidc.name,
              type: 'oidc' as const,
              issuer: oidc.issuer,
              clientId: oidc.clientId,
              clientSecret: oidc.clientSecret,
              checks: ['pkce' as const, 'state' as const],
              authorization: { params: { scope: oidc.adminGroup ? 'openid email profile groups' : 'openid email profile' } },
              profile: (p: Record<string, unknown>) => ({ id: String(p.sub), email: typeof p.email === 'string' ? p.email : null, name: typeof p.name === 'string' ? p.name : null }),
            },
          ]
        : []),
    ],
    callbacks: {
      signIn: async ({ user, account, profile }) => {
        if (account?.type !== 'oidc') return true;
        const { ip } = await requestMeta();
        const linked = await linkOidcUser(services().prisma, profile ?? {}, { adminGroup: oidc?.adminGroup ?? null, ip });
        if (!linked.ok) return false;
        // The same object reaches the jwt callback: it becomes the GenOS user.
        Object.assign(user, linked.user, { method: 'oidc' });
        return true;
      },
      jwt: async ({ token, user }) => {
        if (user) {
          // Sign-in: bind the token to a new Session row.
          const u = user as { id: string; role?: string; method?: 'credentials' | 'oidc' };
          const { ip, userAgent } = await requestMeta();
          const session = await createSession(services().prisma, { userId: u.id, method: u.method ?? 'credentials', ip, userAgent });
          token.sub = u.id;
          token.role = u.role === 'admin' ? 'admin' : 'user';
          token.sid = session.id;
          return token;
        }
        // Every later request: the row must still be live (not revoked, not expired, user not disabled).
        if (typeof token.sid !== 'string') return null;
        const live = await checkSession(services().prisma, token.sid);
        if (!live || live.userId !== token.sub) return null;
        token.role = live.role;
        return token;
      },
      session: ({ session, token }) => {
        session.user.id = token.sub!;
        session.user.role = token.role === 'admin' ? 'admin' : 'user';
        session.sessionId = String(token.sid ?? '');
        return session;
      },
    },
    events: {
      signOut: async (message) => {
        const token = 'token' in message ? message.token : null;
        if (typeof token?.sid !== 'string' || typeof token.sub !== 'string') return;
        const { ip } = await requestMeta();
        await revokeSessions(services().prisma, { actorId: token.sub, userId: token.sub, ip, which: { id: token.sid } });
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
