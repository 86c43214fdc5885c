import { z } from 'zod';
import { checkHops, hopSettingsShape } from '@genos/db/remote-hops';

/** Every setting the web app reads, validated once. */
const schema = z.object({
  DATABASE_URL: z.string().url(),
  AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters'),
  // guacamole-lite uses AES-256-CBC with the key as given: exactly 32 bytes.
  GENOS_TUNNEL_KEY: z.string().length(32, 'GENOS_TUNNEL_KEY must be exactly 32 characters'),
  // The key-encryption key file (mode 600) the key service wraps data keys with; setup makes it (README, "Keys").
  GENOS_KEK_FILE: z.string().min(1, 'GENOS_KEK_FILE must name the key-encryption key file (npm run setup makes it)'),
  // guacd and the database: TLS required to other machines (packages/db/src/remote-hops).
  ...hopSettingsShape,
  PORT: z.coerce.number().int().default(3000),
  GENOS_BIND_HOST: z.string().default('127.0.0.1'),
  // Optional language model for the composer: any OpenAI-compatible server (Ollama, vLLM...).
  GENOS_LLM_BASE_URL: z.string().url().optional(),
  GENOS_LLM_MODEL: z.string().min(1).optional(),
  GENOS_LLM_API_KEY: z.string().optional(),
  GENOS_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  // Where this deployment keeps its files (recordings, transfer folders); the worker uses the same rule.
  GENOS_INSTANCE: z.string().regex(/^[a-z0-9-]{1,32}$/).default('default'),
  GENOS_STATE_DIR: z.string().min(1).optional(),
  // Record every session, whatever the team says (teams switch it on with recordSessions).
  GENOS_RECORD_ALL: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  // The user guacd runs as: it writes the recordings.
  GENOS_GUACD_USER: z.string().default('genos-guacd'),
  // Optional single sign-on through any OpenID Connect provider: all three of issuer, client id and secret, or none.
  GENOS_OIDC_ISSUER: z.string().url().optional(),
  GENOS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  GENOS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  GENOS_OIDC_NAME: z.string().min(1).max(64).default('Single sign-on'),
  // Members of this group (the ID token's `groups` claim) are GenOS admins.
  GENOS_OIDC_ADMIN_GROUP: z.string().min(1).optional(),
  // A Tor Browser tarball (https URL or absolute path) the workers install into app layers: the composer offers
  // Tor Browser only when set, Firefox ESR through Tor otherwise. Set it alike for the web app and every worker.
  GENOS_TOR_BROWSER_SOURCE: z.string().min(1).optional(),
  // Display tunnel limits (apps/web/src/server/tunnel/tunnel-limits.ts): per connection, instructions per second from
  // the browser (and the burst allowed at once) and bytes per message; open connections per user and per share link;
  // minutes without input reaching the desktop and without a change on screen before a connection is closed (0: never).
  GENOS_TUNNEL_MAX_INSTRUCTIONS_PER_SECOND: z.coerce.number().int().min(10).default(2000),
  GENOS_TUNNEL_INSTRUCTION_BURST: z.coerce.number().int().min(10).default(4000),
  GENOS_TUNNEL_MAX_MESSAGE_BYTES: z.coerce.number().int().min(4096).max(16 * 1024 * 1024).default(65_536),
  GENOS_TUNNEL_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(8),
  GENOS_TUNNEL_MAX_CONNECTIONS_PER_SHARE_LINK: z.coerce.number().int().min(1).default(5),
  GENOS_TUNNEL_IDLE_MINUTES: z.coerce.number().min(0).default(30),
  // Set to 1 behind a reverse proxy that sets X-Forwarded-For; otherwise the socket's address is used.
  GENOS_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  // The PEM certificate GenOS is served with: /metrics reports its expiry for the certificate-expiring alert.
  GENOS_TLS_CERT_FILE: z.string().min(1).optional(),
}).superRefine(checkHops);

export type WebEnv = z.infer<typeof schema> & { GENOS_STATE_DIR: string };
let cached: WebEnv | undefined;

export function env(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`web configuration is invalid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return (cached = { ...parsed.data, GENOS_STATE_DIR: parsed.data.GENOS_STATE_DIR ?? `/var/lib/genos/${parsed.data.GENOS_INSTANCE}` });
}
