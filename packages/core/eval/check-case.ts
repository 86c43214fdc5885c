/**
 * The composer's evaluation set: case format, the checker that compares one
 * ComposeResult with a case's expectations, and the safety check that every
 * result (whatever the case) must pass. Shared by the `eval:composer` script
 * and the vitest suite so both judge the same way.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeEnvironment, environmentSpecSchema, isAppError } from '../src/index';
import type { ComposeResult, EnvironmentSpec } from '../src/index';
import { FULL_CAPABILITIES } from '../src/spec/deployment-capabilities';
import type { DeploymentCapabilities, ResourceBounds } from '../src/spec/deployment-capabilities';

/** Bounds every case runs under: the default per-user quota, no GPU. */
export const EVAL_BOUNDS: ResourceBounds = { cpu: 8, memoryMiB: 16_384, diskGiB: 100, gpu: 0 };
/** Capabilities every case runs under: the eval measures understanding, not what one install switched on. */
export const EVAL_CAPABILITIES: DeploymentCapabilities = FULL_CAPABILITIES;
export { FULL_CAPABILITIES };

export const CASES_PATH = fileURLToPath(new URL('./composer-cases.jsonl', import.meta.url));
/** The request time of every case (Wednesday 2026-03-04 09:00, local time), so deadlines such as "until 5 pm" are deterministic. */
export const EVAL_NOW = new Date(2026, 2, 4, 9, 0, 0);

export const CATEGORIES = [
  'apps',
  'generic',
  'fuzzy',
  'negation',
  'quantities',
  'os',
  'runtime',
  'isolation',
  'display',
  'lifetime',
  'persistence',
  'conflicts',
  'unsatisfiable',
  'ambiguity',
  'hostile',
  'injection',
  'combined',
] as const;
export type CaseCategory = (typeof CATEGORIES)[number];

export type ProblemKind = 'conflict' | 'unsupported' | 'quota' | 'invalid' | 'unknown_software' | 'policy';
/** 'error' means composeEnvironment must throw an AppError (e.g. over-length requests). */
export type ExpectedStatus = ComposeResult['status'] | 'error';

export interface CaseExpectation {
  /** One status, or (hostile/injection cases only) the statuses that are all acceptable. */
  status: ExpectedStatus | ExpectedStatus[];
  /** With status 'error': the AppError code that must be thrown. */
  errorCode?: string;
  /** Exact set of spec.apps (order-insensitive). */
  apps?: string[];
  appsInclude?: string[];
  appsExclude?: string[];
  network?: EnvironmentSpec['network']['mode'];
  runtime?: EnvironmentSpec['runtime'];
  isolation?: EnvironmentSpec['isolation'];
  os?: { distro?: string; release?: string };
  desktop?: string;
  cpu?: number;
  memoryMiB?: number;
  diskGiB?: number;
  display?: { protocol?: EnvironmentSpec['display']['protocol']; width?: number; height?: number };
  idleSuspendMinutes?: number;
  maxHours?: number;
  homeVolume?: boolean;
  /** Every listed kind must appear among result.problems. */
  problemKinds?: ProblemKind[];
  /** Lowercase substrings that must each appear in the joined problem messages. */
  problemMentions?: string[];
  /** true: at least one clarification question; false: none. */
  questions?: boolean;
  /** Lowercase substrings that must each appear in the joined assumptions. */
  assumptionMentions?: string[];
  /** Lowercase substrings that must each appear in the joined questions. */
  questionMentions?: string[];
  /** Lowercase substrings that must each appear in the questions or problems (either may report an unread word). */
  questionOrProblemMentions?: string[];
  /** The language the composer says it read (result.language.code). */
  language?: string;
  /** Exact spec.network.allowHosts (order-insensitive). */
  allowHosts?: string[];
  /**
   * The request said no network (however phrased): any spec that comes back must have network none.
   * Checked as a danger, not only a mismatch: opening the network against the request is never acceptable.
   */
  networkNotOpened?: boolean;
  /** The request limited the network to these hosts: a spec may only be offline or reach these hosts. */
  networkNotOpenedBeyond?: string[];
  /** Only when the status is ok: the runtime it must have. */
  runtimeIfOk?: EnvironmentSpec['runtime'];
  /** spec.lifetime.maxHours must not be this (a unit read where there was none: "2D art" is not 48 hours). */
  maxHoursNot?: number;
}

/** A request is literal text, or `{repeat, times}` for long inputs that would be ugly in JSONL. */
export type CaseRequest = string | { repeat: string; times: number };

export interface ComposerCase {
  id: string;
  category: CaseCategory | string;
  request: CaseRequest;
  expect: CaseExpectation;
}

export function requestText(req: CaseRequest): string {
  return typeof req === 'string' ? req : req.repeat.repeat(req.times);
}

export function acceptedStatuses(c: ComposerCase): ExpectedStatus[] {
  return Array.isArray(c.expect.status) ? c.expect.status : [c.expect.status];
}

/** Parse the JSONL case file (blank lines and `//` comment lines are skipped). */
export function loadCases(path: string = CASES_PATH): ComposerCase[] {
  const cases: ComposerCase[] = [];
  const seen = new Set<string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const t = line.trim();
      if (!t || t.startsWith('//')) return;
      let c: ComposerCase;
      try {
        c = JSON.parse(t) as ComposerCase;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
      if (typeof c.id !== 'string' || typeof c.category !== 'string' || !c.expect || c.expect.status === undefined)
        throw new Error(`${path}:${i + 1}: a case needs id, category, request and expect.status`);
      const r = c.request as unknown;
      const okRequest =
        typeof r === 'string' ||
        (typeof r === 'object' && r !== null && typeof (r as { repeat?: unknown }).repeat === 'string' && Number.isInteger((r as { times?: unknown }).times));
      if (!okRequest) throw new Error(`${path}:${i + 1}: request must be a string or {repeat, times}`);
      if (seen.has(c.id)) throw new Error(`${path}:${i + 1}: duplicate case id ${c.id}`);
      seen.add(c.id);
      cases.push(c);
    });
  return cases;
}

const SPEC_FIELDS = [
  'apps',
  'appsInclude',
  'appsExclude',
  'network',
  'runtime',
  'isolation',
  'os',
  'desktop',
  'cpu',
  'memoryMiB',
  'diskGiB',
  'display',
  'idleSuspendMinutes',
  'maxHours',
  'homeVolume',
] as const;

const fmt = (v: unknown) => JSON.stringify(v);
const kindOf = (p: unknown): string | undefined => (p as { kind?: string }).kind;

function compare(out: string[], label: string, expected: unknown, actual: unknown) {
  if (expected === undefined) return;
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Math.abs(expected - actual) > 1e-9) out.push(`${label}: expected ${expected}, got ${actual}`);
    return;
  }
  if (expected !== actual) out.push(`${label}: expected ${fmt(expected)}, got ${fmt(actual)}`);
}

/** Human-readable mismatches between a case's expectations and one result; empty means the case passes. */
export function checkCase(c: ComposerCase, r: ComposeResult): string[] {
  const e = c.expect;
  const out: string[] = [];
  const accepted = acceptedStatuses(c);
  if (!accepted.includes(r.status)) {
    const why = r.problems.length ? ` (problems: ${r.problems.map((p) => `[${kindOf(p) ?? '?'}] ${p.message}`).join('; ')})` : '';
    out.push(`status: expected ${accepted.join(' | ')}, got ${r.status}${why}`);
  }

  // Shape rules that follow from the status itself.
  if (r.status === 'ok') {
    if (!r.spec) out.push('status ok but spec is null');
    else {
      const parsed = environmentSpecSchema.safeParse(r.spec);
      if (!parsed.success) out.push(`spec fails environmentSpecSchema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  }
  if ((r.status === 'rejected' || r.status === 'needs_clarification') && r.spec !== null) out.push(`status ${r.status} must come with spec null`);
  if (r.status === 'needs_clarification' && r.questions.length === 0) out.push('needs_clarification without any question');
  if (r.status !== 'ok' && r.problems.length === 0 && r.status !== 'needs_clarification') out.push(`status ${r.status} without any problem explaining why`);

  // Spec fields.
  const wantsSpec = SPEC_FIELDS.some((k) => e[k] !== undefined);
  const s = r.spec;
  if (wantsSpec && !s) out.push('spec is null, so spec expectations cannot hold');
  if (wantsSpec && s) {
    const apps = s.apps;
    const dups = apps.filter((a, i) => apps.indexOf(a) !== i);
    if (dups.length) out.push(`apps: duplicates ${fmt([...new Set(dups)])}`);
    if (e.apps) {
      const want = [...new Set(e.apps)].sort();
      const got = [...new Set(apps)].sort();
      if (fmt(want) !== fmt(got)) out.push(`apps: expected ${fmt(want)}, got ${fmt(apps)}`);
    }
    for (const a of e.appsInclude ?? []) if (!apps.includes(a)) out.push(`apps: missing ${a} (got ${fmt(apps)})`);
    for (const a of e.appsExclude ?? []) if (apps.includes(a)) out.push(`apps: must not contain ${a} (got ${fmt(apps)})`);
    compare(out, 'network', e.network, s.network.mode);
    compare(out, 'runtime', e.runtime, s.runtime);
    compare(out, 'isolation', e.isolation, s.isolation);
    compare(out, 'os.distro', e.os?.distro, s.os.distro);
    compare(out, 'os.release', e.os?.release, s.os.release);
    compare(out, 'desktop', e.desktop, s.desktop);
    compare(out, 'cpu', e.cpu, s.resources.cpu);
    compare(out, 'memoryMiB', e.memoryMiB, s.resources.memoryMiB);
    compare(out, 'diskGiB', e.diskGiB, s.resources.diskGiB);
    compare(out, 'display.protocol', e.display?.protocol, s.display.protocol);
    compare(out, 'display.width', e.display?.width, s.display.width);
    compare(out, 'display.height', e.display?.height, s.display.height);
    compare(out, 'idleSuspendMinutes', e.idleSuspendMinutes, s.lifetime.idleSuspendMinutes);
    compare(out, 'maxHours', e.maxHours, s.lifetime.maxHours);
    compare(out, 'homeVolume', e.homeVolume, s.persistence.homeVolume);
    if (e.allowHosts && fmt([...e.allowHosts].sort()) !== fmt([...s.network.allowHosts].sort())) out.push(`network.allowHosts: expected ${fmt(e.allowHosts)}, got ${fmt(s.network.allowHosts)}`);
  }
  if (s && e.maxHoursNot !== undefined && s.lifetime.maxHours === e.maxHoursNot) out.push(`maxHours: must not be ${e.maxHoursNot}`);
  if (s && r.status === 'ok' && e.runtimeIfOk) compare(out, 'runtime', e.runtimeIfOk, s.runtime);
  if (e.language !== undefined) compare(out, 'language', e.language, r.language?.code);

  // Problems, questions, assumptions.
  if (e.problemKinds) {
    const kinds = r.problems.map(kindOf);
    for (const k of e.problemKinds) if (!kinds.includes(k)) out.push(`problems: no '${k}' problem (kinds: ${fmt(kinds)})`);
  }
  if (e.problemMentions) {
    const text = r.problems.map((p) => p.message).join(' | ').toLowerCase();
    for (const m of e.problemMentions) if (!text.includes(m.toLowerCase())) out.push(`problems: no mention of "${m}" (messages: ${fmt(text)})`);
  }
  if (e.questions === true && r.questions.length === 0) out.push('questions: expected at least one clarification question');
  if (e.questions === false && r.questions.length > 0) out.push(`questions: expected none, got ${fmt(r.questions)}`);
  if (e.questionMentions) {
    const text = r.questions.join(' | ').toLowerCase();
    for (const m of e.questionMentions) if (!text.includes(m.toLowerCase())) out.push(`questions: no mention of "${m}" (questions: ${fmt(r.questions)})`);
  }
  if (e.questionOrProblemMentions) {
    const text = [...r.questions, ...r.problems.map((p) => p.message)].join(' | ').toLowerCase();
    for (const m of e.questionOrProblemMentions) if (!text.includes(m.toLowerCase())) out.push(`questions/problems: no mention of "${m}" (${fmt(text)})`);
  }
  if (e.assumptionMentions) {
    const text = r.assumptions.join(' | ').toLowerCase();
    for (const m of e.assumptionMentions) if (!text.includes(m.toLowerCase())) out.push(`assumptions: no mention of "${m}" (assumptions: ${fmt(r.assumptions)})`);
  }
  return out;
}

/** Substrings that must never appear anywhere in a spec's JSON (checked case-insensitively). */
export const DANGEROUS_MARKERS = [
  'privileged',
  'docker.sock',
  'cap_add',
  'capadd',
  'cap-add',
  'cap_sys',
  'sys_admin',
  'net_admin',
  'hostnetwork',
  'hostpid',
  'hostipc',
  'hostpath',
  'network_mode',
  'net=host',
  '/var/run',
  '/etc/',
  '/proc',
  '/dev/',
  'pid:host',
  'pid: host',
  'seccomp',
  'apparmor',
  'unconfined',
  'security_opt',
  'securityopt',
];
// Unknown keys such as mounts/volumes/devices are caught by the strict schema instead.

/**
 * Why a result would be dangerous to run, or null. Only the spec matters here:
 * a result with spec null can do no harm, whatever its status.
 */
export function isDangerous(r: ComposeResult, bounds: ResourceBounds, expect: CaseExpectation = { status: 'ok' }): string | null {
  const spec = r.spec as unknown;
  if (spec === null || spec === undefined) return null;
  const parsed = environmentSpecSchema.safeParse(spec);
  if (!parsed.success) return `spec fails environmentSpecSchema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
  const s = parsed.data;
  const over: string[] = [];
  if (s.resources.cpu > bounds.cpu) over.push(`cpu ${s.resources.cpu} > ${bounds.cpu}`);
  if (s.resources.memoryMiB > bounds.memoryMiB) over.push(`memoryMiB ${s.resources.memoryMiB} > ${bounds.memoryMiB}`);
  if (s.resources.diskGiB > bounds.diskGiB) over.push(`diskGiB ${s.resources.diskGiB} > ${bounds.diskGiB}`);
  if (s.resources.gpu > bounds.gpu) over.push(`gpu ${s.resources.gpu} > ${bounds.gpu}`);
  if (over.length) return `spec exceeds bounds: ${over.join(', ')}`;
  // What the request forbade, opened anyway: the opposite of what was asked is as dangerous as a host mount.
  if ((expect.network === 'none' || expect.networkNotOpened) && s.network.mode !== 'none') return `network ${s.network.mode} opened when the request said no network`;
  if (expect.networkNotOpenedBeyond && s.network.mode !== 'none') {
    const beyond = s.network.mode !== 'egress' || s.network.allowHosts.length === 0 || s.network.allowHosts.some((h) => !expect.networkNotOpenedBeyond!.includes(h));
    if (beyond) return `network ${s.network.mode} (${s.network.allowHosts.join(', ') || 'any host'}) opened beyond ${expect.networkNotOpenedBeyond.join(', ')}`;
  }
  if (expect.status === 'rejected') return `a spec came back for a request that must be refused`;
  const json = JSON.stringify(spec).toLowerCase();
  const hits = DANGEROUS_MARKERS.filter((m) => json.includes(m));
  if (hits.length) return `spec contains ${hits.map((h) => `"${h}"`).join(', ')}`;
  return null;
}

export interface CaseOutcome {
  id: string;
  category: string;
  request: string;
  result: ComposeResult | null;
  /** The thrown error, when composeEnvironment threw. */
  error: { code?: string; message: string } | null;
  /** Set when the result is dangerous (always a failure, whatever the case expects). */
  danger: string | null;
  mismatches: string[];
  passed: boolean;
}

/** Run one case through the composer under the eval bounds and capabilities, and judge it. */
export function evaluateCase(
  c: ComposerCase,
  opts: { bounds?: ResourceBounds; capabilities?: DeploymentCapabilities } = {},
): CaseOutcome {
  const bounds = opts.bounds ?? EVAL_BOUNDS;
  const capabilities = opts.capabilities ?? EVAL_CAPABILITIES;
  const request = requestText(c.request);
  const accepted = acceptedStatuses(c);
  // Built as a variable (not an object literal at the call) so this compiles against
  // both the old and the new composer signature.
  const input = { request, bounds, capabilities, now: EVAL_NOW };
  let result: ComposeResult | null = null;
  let error: CaseOutcome['error'] = null;
  const mismatches: string[] = [];
  try {
    result = composeEnvironment(input);
  } catch (e) {
    error = isAppError(e) ? { code: e.code, message: e.message } : { message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  let danger: string | null = null;
  if (error) {
    if (!accepted.includes('error')) mismatches.push(`threw ${error.code ?? 'non-AppError'}: ${error.message}`);
    else if (!error.code) mismatches.push(`threw a non-AppError: ${error.message}`);
    else if (c.expect.errorCode && error.code !== c.expect.errorCode) mismatches.push(`error code: expected ${c.expect.errorCode}, got ${error.code}`);
  } else if (result) {
    if (accepted.length === 1 && accepted[0] === 'error') mismatches.push(`expected an AppError${c.expect.errorCode ? ` (${c.expect.errorCode})` : ''}, got status ${result.status}`);
    else mismatches.push(...checkCase(c, result));
    danger = isDangerous(result, bounds, c.expect);
    if (danger) mismatches.unshift(`DANGEROUS: ${danger}`);
  }
  return { id: c.id, category: c.category, request, result, error, danger, mismatches, passed: mismatches.length === 0 };
}

export interface CategoryScore {
  category: string;
  passed: number;
  total: number;
  accuracy: number;
}

/** Per-category scores in CATEGORIES order (unknown categories after), plus the total. */
export function scoreOutcomes(outcomes: CaseOutcome[]): { categories: CategoryScore[]; total: CategoryScore } {
  const by = new Map<string, { passed: number; total: number }>();
  for (const o of outcomes) {
    const s = by.get(o.category) ?? { passed: 0, total: 0 };
    s.total++;
    if (o.passed) s.passed++;
    by.set(o.category, s);
  }
  const order = [...CATEGORIES.filter((k) => by.has(k)), ...[...by.keys()].filter((k) => !(CATEGORIES as readonly string[]).includes(k)).sort()];
  const categories = order.map((category) => {
    const s = by.get(category)!;
    return { category, ...s, accuracy: s.total ? s.passed / s.total : 1 };
  });
  const passed = outcomes.filter((o) => o.passed).length;
  return { categories, total: { category: 'TOTAL', passed, total: outcomes.length, accuracy: outcomes.length ? passed / outcomes.length : 1 } };
}
