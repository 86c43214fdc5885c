import type { CatalogApp } from '../catalog/app-catalog';
import { AppError } from '../errors/app-error';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES, type DeploymentCapabilities, type ResourceBounds } from '../spec/deployment-capabilities';
import { DEFAULT_SPEC, requestTextSchema } from '../spec/environment-spec';
import { applyIntent } from './apply-intent';
import { catalogIndex } from './catalog-index';
import type { ComposeResult } from './compose-result';
import { evaluateSpec } from './evaluate-spec';
import { interpretRequest } from './interpret-request';

export interface ComposeOptions {
  request: string;
  /** The caller's quota capped by the host's size; defaults to DEFAULT_QUOTA. */
  bounds?: ResourceBounds;
  capabilities?: DeploymentCapabilities;
  catalog?: readonly CatalogApp[];
}

const VAGUE_QUESTIONS = [
  'Which applications do you need (for example a web browser, an office suite, a code editor or a terminal)?',
  'Should it have internet access, or stay offline?',
  'How much memory and CPU, and for how long do you need it?',
];

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
  const intent = interpretRequest(request, catalogIndex(opts.catalog));
  if (!intent.understood && !intent.policy.length) {
    return { status: 'needs_clarification', spec: null, questions: VAGUE_QUESTIONS, problems: [], assumptions: [] };
  }
  const applied = applyIntent({ base: DEFAULT_SPEC, intent, mode: 'compose' });
  return evaluateSpec({
    ...applied,
    bounds: opts.bounds ?? DEFAULT_QUOTA,
    capabilities: opts.capabilities ?? DEPLOYMENT_CAPABILITIES,
    catalog: opts.catalog,
  });
}
