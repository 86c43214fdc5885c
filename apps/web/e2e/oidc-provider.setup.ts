import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { OIDC_ACCOUNT, OIDC_CLIENT, oidcPort, webPort } from './oidc-fixture';

/**
 * Playwright globalSetup: a real OpenID Connect provider (node-oidc-provider)
 * on 127.0.0.1, with one client (GenOS's web server under test) and one
 * account. playwright.config.ts points GENOS_OIDC_* at it. Its development
 * login form accepts the account's login with any password.
 */
export default async function startOidcProvider(): Promise<() => Promise<void>> {
  const issuer = `http://127.0.0.1:${oidcPort()}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: [`http://127.0.0.1:${webPort()}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // Scope claims in the ID token too (Auth.js reads the profile from it).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, id) =>
      id === OIDC_ACCOUNT.login
        ? { accountId: id, claims: async () => ({ sub: OIDC_ACCOUNT.sub, email: OIDC_ACCOUNT.email, email_verified: true, name: OIDC_ACCOUNT.name, groups: ['staff'] }) }
        : undefined,
  });
  // Failures are otherwise only "invalid_grant"; the detail says why.
  provider.on('grant.error', (ctx: { oidc?: { params?: { redirect_uri?: string } } }, err: { message?: string; error_detail?: string }) =>
    console.warn(`[oidc-provider] grant.error: ${err.message} ${err.error_detail ?? ''} (redirect_uri ${ctx.oidc?.params?.redirect_uri})`),
  );
  provider.on('server_error', (_ctx: unknown, err: Error) => console.warn(`[oidc-provider] server_error: ${err.stack}`));
  const server: Server = await new Promise((resolve, reject) => {
    const s = provider.listen(oidcPort(), '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
