import { AppError } from '../errors/app-error';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES } from '../spec/deployment-capabilities';
import { environmentSpecSchema, type EnvironmentSpec } from '../spec/environment-spec';
import { applyIntent } from './apply-intent';
import { catalogIndex } from './catalog-index';
import { parseRequestText, type ComposeOptions } from './compose-environment';
import type { ComposeResult, SpecChange } from './compose-result';
import { evaluateSpec } from './evaluate-spec';
import { interpretRequest } from './interpret-request';
import { catalogLookup } from '../catalog/app-catalog';

/** Leaf-by-leaf differences between two specs ("resources.memoryMiB: 2048 → 8192"). */
export function diffSpecs(before: EnvironmentSpec, after: EnvironmentSpec): SpecChange[] {
  const changes: SpecChange[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (Array.isArray(a) || Array.isArray(b) || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
      if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field: path, from: a, to: b });
      return;
    }
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
  };
  walk(before, after, '');
  return changes;
}

/**
 * Edits the current spec with a chat instruction ("add vlc", "make it 8 GB",
 * "actually no internet"). Only what the instruction touches changes; the
 * result says what changed and passes the same checks as a new spec.
 */
export function refineEnvironment(opts: Omit<ComposeOptions, 'request'> & { spec: unknown; instruction: string }): ComposeResult {
  const base = environmentSpecSchema.safeParse(opts.spec);
  if (!base.success) throw new AppError('VALIDATION', 'the spec to refine is invalid', { issues: base.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  const instruction = parseRequestText(opts.instruction);
  const intent = interpretRequest(instruction, catalogIndex(opts.catalog));
  const applied = applyIntent({ base: base.data, intent, mode: 'refine', apps: catalogLookup(opts.catalog ?? []) });
  if (!diffSpecs(base.data, applied.draft).length && !applied.problems.length && !applied.questions.length) {
    applied.questions.push('I could not tell what to change. Try "add vlc", "make it 8 GB", "no internet" or "use a VM".');
  }
  const result = evaluateSpec({ ...applied, bounds: opts.bounds ?? DEFAULT_QUOTA, capabilities: opts.capabilities ?? DEPLOYMENT_CAPABILITIES, catalog: opts.catalog });
  // Against what the checks returned: an app this deployment replaced (stand-in-apps.ts) shows as its stand-in.
  return { ...result, changes: diffSpecs(base.data, result.spec ?? applied.draft) };
}
