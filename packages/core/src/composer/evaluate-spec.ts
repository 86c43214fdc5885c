import { APP_CATALOG, type CatalogApp } from '../catalog/app-catalog';
import { checkSpecBounds, checkSpecSupported } from '../spec/check-supported';
import type { DeploymentCapabilities, ResourceBounds } from '../spec/deployment-capabilities';
import { environmentSpecSchema, type EnvironmentSpec } from '../spec/environment-spec';
import type { ComposeProblem, ComposeResult } from './compose-result';
import { standInForUnavailableApps } from './stand-in-apps';

/**
 * The one gate every composed spec passes, whichever composer wrote it
 * (the deterministic one or a language model): schema, catalog, quota and
 * host bounds, deployment capabilities, then a status. Only specs whose sole
 * problems are capabilities are returned alongside problems, so a result
 * never carries a spec that is invalid, over quota or against policy.
 * Apps this deployment cannot install are first replaced by what can work
 * here (stand-in-apps.ts), with a notice saying so.
 */
export function evaluateSpec(opts: {
  draft: unknown;
  problems?: ComposeProblem[];
  questions?: string[];
  assumptions?: string[];
  bounds: ResourceBounds;
  capabilities: DeploymentCapabilities;
  catalog?: readonly CatalogApp[];
}): ComposeResult {
  const problems = [...(opts.problems ?? [])];
  const questions = opts.questions ?? [];
  const { draft, notices } = standInForUnavailableApps(opts.draft, opts.capabilities);
  // Notices are assumptions too, for readers that only know assumptions; the spec card shows them apart.
  const assumptions = [...(opts.assumptions ?? []), ...notices];
  const catalog = opts.catalog ?? APP_CATALOG;
  const parsed = environmentSpecSchema.safeParse(draft);
  // Way over the limits is still "over your limit" to a user, not a schema error.
  const resources = (draft as { resources?: EnvironmentSpec['resources'] } | null)?.resources;
  if (!parsed.success && resources && typeof resources === 'object') {
    for (const p of checkSpecBounds({ resources } as EnvironmentSpec, opts.bounds)) if (!problems.some((q) => q.field === p.field)) problems.push(p);
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || 'spec';
      if (!problems.some((p) => p.field === field)) problems.push({ field, message: `${field}: ${issue.message}`, kind: 'invalid' });
    }
  } else {
    const spec = parsed.data;
    for (const id of spec.apps) {
      if (!catalog.some((a) => a.id === id)) problems.push({ field: 'apps', message: `"${id}" is not in this deployment's application catalog`, kind: 'unknown_software' });
    }
    for (const p of [...checkSpecBounds(spec, opts.bounds), ...checkSpecSupported(spec, opts.capabilities)]) {
      if (!problems.some((q) => q.field === p.field && q.kind === p.kind)) problems.push(p);
    }
  }
  const spec = parsed.success ? parsed.data : null;
  if (problems.some((p) => p.kind === 'policy')) {
    // Nothing was built from a refused request, so its defaults are not worth showing.
    return { status: 'rejected', spec: null, questions: [], problems: problems.filter((p) => p.kind === 'policy'), assumptions: assumptions.filter((a) => a.startsWith('Text that looked')) };
  }
  const noticed = notices.length ? { notices } : {};
  if (problems.length) {
    const showable = problems.every((p) => p.kind === 'unsupported');
    return { status: 'unsatisfiable', spec: showable ? spec : null, questions, problems, assumptions, ...noticed };
  }
  if (questions.length) return { status: 'needs_clarification', spec: null, questions, problems, assumptions, ...noticed };
  return { status: 'ok', spec, questions: [], problems: [], assumptions, ...noticed };
}
