import { APP_CATALOG, type CatalogApp } from '../catalog/app-catalog';
import { checkSpecSupported, type SpecProblem } from '../spec/check-supported';
import { DEFAULT_SPEC, environmentSpecSchema, requestTextSchema, type EnvironmentSpec } from '../spec/environment-spec';
import { AppError } from '../errors/app-error';
import type { ComposeResult } from './compose-result';
import { extractCpu, extractDiskGiB, extractMemoryMiB, extractResolution } from './extract-quantities';

const NO_NETWORK = /\b(no|without|zero)\s+(internet|network|networking|net)\b|\boffline\b|\bair[- ]?gapped\b|\bisolated from the (internet|network)\b/;
const WANTS_NETWORK = /\b(internet|online|browse|browsing|web access|network access)\b/;
const DESKTOP_WORDS = /\b(desktop|linux|debian|workstation|environment|machine|computer|box|sandbox)\b/;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function findApps(text: string): CatalogApp[] {
  const hits: { app: CatalogApp; at: number }[] = [];
  for (const app of APP_CATALOG) {
    let best = -1;
    for (const alias of [app.id, ...app.aliases]) {
      const m = new RegExp(`(?<![\\w-])${escape(alias)}(?![\\w-])`).exec(text);
      if (m && (best < 0 || m.index < best)) best = m.index;
    }
    if (best >= 0) hits.push({ app, at: best });
  }
  // Generic aliases ("browser") must not add a second browser when a specific one was named.
  const categories = new Set<string>();
  return hits
    .sort((a, b) => a.at - b.at)
    .filter(({ app }) => {
      const specific = app.aliases.some((al) => al === app.id || al.split(' ').length === 1);
      if (categories.has(app.category) && !specific) return false;
      categories.add(app.category);
      return true;
    })
    .map((h) => h.app);
}

const slug = (s: string) => s.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'desktop';

/**
 * The deterministic, offline composer: a sentence in, a validated spec out,
 * with every default it chose listed in `assumptions`.
 */
export function composeEnvironment(opts: { request: string }): ComposeResult {
  const parsed = requestTextSchema.safeParse(opts.request);
  if (!parsed.success) {
    throw new AppError(
      opts.request.length > 0 && opts.request.trim().length > 0 ? 'TOO_LARGE' : 'VALIDATION',
      parsed.error.issues[0]?.message ?? 'invalid request',
    );
  }
  const text = parsed.data.toLowerCase();
  const assumptions: string[] = [];
  const problems: SpecProblem[] = [];
  const spec: EnvironmentSpec = structuredClone(DEFAULT_SPEC);

  const apps = findApps(text);
  if (apps.length === 0 && !DESKTOP_WORDS.test(text)) {
    return {
      status: 'needs_clarification',
      spec: null,
      questions: [
        'Which applications do you need (for example a terminal, Firefox, LibreOffice)?',
        'Should the environment have internet access?',
      ],
      problems: [],
      assumptions: [],
    };
  }
  if (apps.length === 0) {
    spec.apps = ['xterm'];
    assumptions.push('No application named: added a terminal (xterm).');
  } else {
    spec.apps = apps.map((a) => a.id);
  }
  spec.name = slug(apps.length ? apps.map((a) => a.id).join('-') : 'desktop');

  if (/\bwindows\b/.test(text)) spec.os.family = 'windows';
  if (/\b(ubuntu|fedora|arch|centos|alpine)\b/.exec(text)) spec.os.distro = /\b(ubuntu|fedora|arch|centos|alpine)\b/.exec(text)![1]!;
  else assumptions.push('Operating system: Debian 12 (bookworm).');
  if (/\b(vm|virtual machine|kvm|qemu)\b/.test(text)) spec.runtime = 'vm';
  else assumptions.push('Runtime: a container (fastest to start).');
  if (/\b(rdp|remote desktop protocol)\b/.test(text)) spec.display.protocol = 'rdp';
  if (/\bspice\b/.test(text)) spec.display.protocol = 'spice';

  const needsNet = apps.filter((a) => a.needsNetwork);
  if (/\btor\b/.test(text)) spec.network.mode = 'tor';
  else if (NO_NETWORK.test(text)) {
    spec.network.mode = 'none';
    if (needsNet.length) assumptions.push(`${needsNet.map((a) => a.name).join(', ')} will run without internet access, as asked.`);
  } else if (WANTS_NETWORK.test(text) || needsNet.length) {
    spec.network.mode = 'egress';
    assumptions.push(
      needsNet.length
        ? `Internet access (outbound only) because ${needsNet.map((a) => a.name).join(', ')} needs it.`
        : 'Internet access (outbound only), as asked.',
    );
  } else assumptions.push('No network: nothing asked for one.');

  const mem = extractMemoryMiB(text);
  if (mem !== undefined) spec.resources.memoryMiB = mem;
  else assumptions.push(`Memory: ${spec.resources.memoryMiB} MiB.`);
  const cpu = extractCpu(text);
  if (cpu !== undefined) spec.resources.cpu = cpu;
  else assumptions.push(`CPU: ${spec.resources.cpu} core.`);
  const disk = extractDiskGiB(text);
  if (disk !== undefined) spec.resources.diskGiB = disk;
  const res = extractResolution(text);
  if (res) spec.display = { ...spec.display, ...res };
  else assumptions.push(`Screen: ${spec.display.width}x${spec.display.height}.`);
  assumptions.push(`Suspends after ${spec.lifetime.idleSuspendMinutes} idle minutes, ends after ${spec.lifetime.maxHours} hours.`);

  const valid = environmentSpecSchema.safeParse(spec);
  if (!valid.success) {
    for (const issue of valid.error.issues) problems.push({ field: issue.path.join('.'), message: issue.message });
    return { status: 'unsatisfiable', spec, questions: [], problems, assumptions };
  }
  problems.push(...checkSpecSupported(valid.data));
  return { status: problems.length ? 'unsatisfiable' : 'ok', spec: valid.data, questions: [], problems, assumptions };
}
