import { z } from 'zod';

/** Every setting the web app reads, validated once. */
const schema = z.object({
  DATABASE_URL: z.string().url(),
  AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters'),
  // guacamole-lite uses AES-256-CBC with the key as given: exactly 32 bytes.
  GENOS_TUNNEL_KEY: z.string().length(32, 'GENOS_TUNNEL_KEY must be exactly 32 characters'),
  GUACD_HOST: z.string().default('127.0.0.1'),
  GUACD_PORT: z.coerce.number().int().default(4822),
  PORT: z.coerce.number().int().default(3000),
  GENOS_BIND_HOST: z.string().default('127.0.0.1'),
  // Optional language model for the composer: any OpenAI-compatible server (Ollama, vLLM...).
  GENOS_LLM_BASE_URL: z.string().url().optional(),
  GENOS_LLM_MODEL: z.string().min(1).optional(),
  GENOS_LLM_API_KEY: z.string().optional(),
  GENOS_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type WebEnv = z.infer<typeof schema>;
let cached: WebEnv | undefined;

export function env(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`web configuration is invalid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return (cached = parsed.data);
}
