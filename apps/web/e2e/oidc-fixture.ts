/** The provider uses the login as the subject. Shared by playwright.config.ts, the OIDC provider setup and the OIDC spec. */
export const webPort = () => Number(process.env.E2E_PORT ?? 3100);
/** Derived from the web port, so two e2e runs on different ports do not collide (3100 → 3199). */
export const oidcPort = () => Number(process.env.E2E_OIDC_PORT ?? webPort() + 99);
export const OIDC_CLIENT = { id: 'genos-e2e', secret: 'genos-e2e-client-secret-0123456789' };
export const OIDC_ACCOUNT = { login: 'oidc-user', sub: 'oidc-user', email: 'oidc-user@genos.test', name: 'OIDC User' };
export const OIDC_NAME = 'Test SSO';
