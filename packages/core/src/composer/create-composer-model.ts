import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';

/**
 * A chat model on any OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama, a
 * hosted API). Creating it only stores settings: nothing is sent until the
 * composer calls it.
 */
export function createComposerModel(cfg: { baseURL: string; model: string; apiKey?: string }): LanguageModel {
  const provider = createOpenAICompatible({ name: 'genos-llm', baseURL: cfg.baseURL, apiKey: cfg.apiKey });
  return provider.chatModel(cfg.model);
}

/**
 * The composer model configured by GENOS_LLM_BASE_URL, GENOS_LLM_MODEL and the
 * optional GENOS_LLM_API_KEY; undefined (offline composer only) unless both
 * the URL and the model are set.
 */
export function composerModelFromEnv(env: Record<string, string | undefined>): LanguageModel | undefined {
  const baseURL = env.GENOS_LLM_BASE_URL?.trim();
  const model = env.GENOS_LLM_MODEL?.trim();
  if (!baseURL || !model) return undefined;
  return createComposerModel({ baseURL, model, apiKey: env.GENOS_LLM_API_KEY?.trim() || undefined });
}
