import type { WebEnv } from '../../env';

type OidcEnv = Pick<WebEnv, 'GENOS_OIDC_ISSUER' | 'GENOS_OIDC_CLIENT_ID' | 'GENOS_OIDC_CLIENT_SECRET' | 'GENOS_OIDC_NAME' | 'GENOS_OIDC_ADMIN_GROUP'>;

/** The single sign-on settings when GENOS_OIDC_* configure it (all of issuer, client id and secret), else null. */
export function oidcConfig(e: OidcEnv) {
  const set = [e.GENOS_OIDC_ISSUER, e.GENOS_OIDC_CLIENT_ID, e.GENOS_OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (set !== 0 && set !== 3) throw new Error('web configuration is invalid: set all of GENOS_OIDC_ISSUER, GENOS_OIDC_CLIENT_ID and GENOS_OIDC_CLIENT_SECRET, or none');
  if (!e.GENOS_OIDC_ISSUER || !e.GENOS_OIDC_CLIENT_ID || !e.GENOS_OIDC_CLIENT_SECRET) return null;
  return { issuer: e.GENOS_OIDC_ISSUER, clientId: e.GENOS_OIDC_CLIENT_ID, clientSecret: e.GENOS_OIDC_CLIENT_SECRET, name: e.GENOS_OIDC_NAME, adminGroup: e.GENOS_OIDC_ADMIN_GROUP ?? null };
}
