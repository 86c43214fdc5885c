import type { LanguageModel } from 'ai';
import { composeEnvironment, type ComposeOptions } from './compose-environment';
import type { ComposeResult } from './compose-result';
import { composeWithModel } from './compose-with-model';

/**
 * The composer entry point for the web app and the CLI: the language model
 * when one is configured (it falls back on its own), the offline composer otherwise.
 */
export async function composeRequest(opts: ComposeOptions & { model?: LanguageModel; timeoutMs?: number }): Promise<ComposeResult> {
  const { model, timeoutMs, ...rest } = opts;
  return model ? composeWithModel({ ...rest, model, timeoutMs }) : composeEnvironment(rest);
}
