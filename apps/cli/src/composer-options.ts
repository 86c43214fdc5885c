import os from 'node:os';
import { boundsFor, composerModelFromEnv, type composeRequest, FULL_CAPABILITIES, type ComposeOptions } from '@genos/core';

/** The language model type the AI SDK expects, without importing the SDK here. */
type LanguageModel = NonNullable<Parameters<typeof composeRequest>[0]['model']>;

/**
 * Offline, the CLI cannot ask a server what its deployment has switched on,
 * so it checks against the GenOS platform (every runtime GenOS builds on a
 * Debian host) sized to this machine and the default quota. The server's
 * create refuses anything its own deployment has not enabled.
 */
export function composerOptions(): Omit<ComposeOptions, 'request'> & { model?: LanguageModel; timeoutMs?: number } {
  const timeout = Number(process.env.GENOS_LLM_TIMEOUT_MS ?? '8000');
  return {
    bounds: boundsFor({ hostCpus: os.cpus().length, hostMemoryMiB: Math.floor(os.totalmem() / 2 ** 20) }),
    capabilities: FULL_CAPABILITIES,
    model: composerModelFromEnv(process.env),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 8000,
  };
}
