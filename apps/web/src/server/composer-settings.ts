import os from 'node:os';
import { boundsFor, composerModelFromEnv, type composeRequest, DEPLOYMENT_CAPABILITIES, type DeploymentCapabilities, effectiveBounds, type ResourceBounds, type Store } from '@genos/core';
import { env } from '../env';

export interface ComposerSettings {
  bounds: ResourceBounds;
  capabilities: DeploymentCapabilities;
  model?: LanguageModel;
  timeoutMs: number;
}

let cached: ComposerSettings | undefined;

/** The language model type the AI SDK expects, without importing the SDK here. */
type LanguageModel = NonNullable<Parameters<typeof composeRequest>[0]['model']>;

/**
 * The composer's view of this deployment: the default quota capped by the
 * host's size (per-user quotas replace the default once admins set them) and
 * a language model only when one is configured.
 */
export function composerSettings(): ComposerSettings {
  if (cached) return cached;
  const e = env();
  return (cached = {
    bounds: boundsFor({ hostCpus: os.cpus().length, hostMemoryMiB: Math.floor(os.totalmem() / 2 ** 20) }),
    capabilities: DEPLOYMENT_CAPABILITIES,
    model: composerModelFromEnv({ GENOS_LLM_BASE_URL: e.GENOS_LLM_BASE_URL, GENOS_LLM_MODEL: e.GENOS_LLM_MODEL, GENOS_LLM_API_KEY: e.GENOS_LLM_API_KEY }),
    timeoutMs: e.GENOS_LLM_TIMEOUT_MS,
  });
}

/**
 * The composer's settings for one caller: the bounds are their effective
 * quota (the smaller of their own and their team's) capped by the host's size.
 */
export async function composerSettingsFor(opts: { store: Store; userId: string; teamId?: string | null }): Promise<ComposerSettings> {
  const bounds = await effectiveBounds({ ...opts, hostCpus: os.cpus().length, hostMemoryMiB: Math.floor(os.totalmem() / 2 ** 20) });
  return { ...composerSettings(), bounds };
}
