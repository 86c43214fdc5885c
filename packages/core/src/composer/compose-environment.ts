import type { CatalogApp } from '../catalog/app-catalog';
import { AppError } from '../errors/app-error';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES, type DeploymentCapabilities, type ResourceBounds } from '../spec/deployment-capabilities';
import { DEFAULT_SPEC, requestTextSchema } from '../spec/environment-spec';
import { applyIntent } from './apply-intent';
import { catalogIndex } from './catalog-index';
import type { ComposeResult } from './compose-result';
import { evaluateSpec } from './evaluate-spec';
import { interpretRequest } from './interpret-request';
import { unreadQuestion, vagueQuestions } from './localized-questions';
import { catalogLookup } from '../catalog/app-catalog';

export interface ComposeOptions {
  request: string;
  /** The caller's quota capped by the host's size; defaults to DEFAULT_QUOTA. */
  bounds?: ResourceBounds;
  capabilities?: DeploymentCapabilities;
  catalog?: readonly CatalogApp[];
  /** The request's time, for deadlines ("until 5 pm"); defaults to now. */
  now?: Date;
}

/** Refuses empty and over-long requests with a clear, typed error. */
export function parseRequestText(request: string): string {
  const parsed = requestTextSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const tooLong = request.trim().length > 0;
  throw new AppError(tooLong ? 'TOO_LARGE' : 'VALIDATION', parsed.error.issues[0]?.message ?? 'invalid request');
}

/**
 * The deterministic, offline composer: a sentence in, a checked spec out,
 * with every default it chose listed in `assumptions`.
 */
export function composeEnvironment(opts: ComposeOptions): ComposeResult {
  const request = parseRequestText(opts.request);
  const intent = interpretRequest(request, catalogIndex(opts.catalog), { now: opts.now });
  const language = { code: intent.language.code, name: intent.language.name };
  if (!intent.understood && !intent.policy.length) {
    const lang = intent.language.code;
    const questions = [...(intent.unread.length ? [unreadQuestion(lang, intent.unread)] : []), ...vagueQuestions(lang)];
    return { status: 'needs_clarification', spec: null, questions, problems: [], assumptions: [], language, ...(intent.unread.length ? { unread: intent.unread } : {}) };
  }
  const applied = applyIntent({ base: DEFAULT_SPEC, intent, mode: 'compose', apps: catalogLookup(opts.catalog ?? []) });
  const result = evaluateSpec({
    ...applied,
    bounds: opts.bounds ?? DEFAULT_QUOTA,
    capabilities: opts.capabilities ?? DEPLOYMENT_CAPABILITIES,
    catalog: opts.catalog,
  });
  return withAccounting(result, applied, language);
}

/** Adds what the spec card needs to tell defaults and unread words apart from what was read. */
function withAccounting(result: ComposeResult, applied: { defaults: string[]; unread: string[] }, language: ComposeResult['language']): ComposeResult {
  const defaults = applied.defaults.filter((d) => result.assumptions.includes(d));
  return { ...result, ...(defaults.length ? { defaults } : {}), ...(applied.unread.length ? { unread: applied.unread } : {}), ...(language ? { language } : {}) };
}
