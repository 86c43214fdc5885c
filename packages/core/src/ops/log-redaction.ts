/**
 * Fields no GenOS log line may show, as pino `redact` paths (the web app and
 * the worker both use them). Secrets are never put in messages; these catch
 * them when a whole object (a request, a job, an endpoint, a caught error's
 * context) is logged by mistake.
 */
const SECRET_FIELDS = [
  'password',
  'passwordHash',
  'vncPassword',
  'token',
  'tunnelToken',
  'secret',
  'clientSecret',
  'authorization',
  'cookie',
  'apiKey',
  'totpSecret',
  'recoveryCodes',
  'AUTH_SECRET',
  'GENOS_TUNNEL_KEY',
  'GENOS_LLM_API_KEY',
  'GENOS_OIDC_CLIENT_SECRET',
  'DATABASE_URL',
] as const;

export const LOG_REDACT_PATHS: string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'displayEndpoint.password',
  '*.displayEndpoint.password',
];

/** A request id as a header may carry it: short, no spaces or quotes (it lands in every log line of that request). */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;
