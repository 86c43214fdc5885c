import { findAppById, type AppLookup, type CatalogApp } from '../catalog/app-catalog';
import { findDesktop } from '../catalog/desktop-catalog';
import { fmtMiB } from '../spec/check-supported';
import type { EnvironmentSpec } from '../spec/environment-spec';
import type { ComposeProblem } from './compose-result';
import { wantedApps, type Intent } from './interpret-request';
import { networkQuestion, unreadQuestion } from './localized-questions';

export interface AppliedIntent {
  draft: EnvironmentSpec;
  problems: ComposeProblem[];
  questions: string[];
  assumptions: string[];
  /** The defaults filled in because nothing asked otherwise (also in assumptions), for the spec card to show apart. */
  defaults: string[];
  /** Words of the request nothing accounts for, reported back in a question. */
  unread: string[];
}

/** Apps heavy enough that the 1 GiB default would make them crawl. */
const HEAVY = new Set(['blender', 'kdenlive', 'libreoffice', 'gimp', 'krita', 'chromium', 'firefox-esr', 'thunderbird', 'inkscape', 'obs-studio', 'freecad', 'kicad', 'qgis', 'darktable', 'torbrowser-launcher', 'android-studio', 'shotcut', 'openshot-qt', 'scribus', 'calibre']);

/** A stated purpose that only works online ("so I can chat with my team", "I'll be joining a call"). */
const ONLINE_PURPOSE = /\b(?:so\s+(?:that\s+)?(?:i|we)\s+can|in\s+order\s+to|i'?ll\s+be|we'?ll\s+be|i\s+will|i\s+need\s+to|to)\s+(?:\w+\s+){0,2}?(?:chat|call|talk|meet|join|joining|sync|syncing|send|check|checking|stream|streaming|download|upload|message|video\s+call|voice\s+call|collaborate)\b/;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const fmtEnd = (d: Date) => `${DAYS[d.getDay()]} ${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
const names = (apps: CatalogApp[]) => apps.map((a) => a.name).join(', ');
const slug = (s: string) => s.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'desktop';

/**
 * Turns what was understood into a draft spec on top of `base`. In compose
 * mode every default is listed in assumptions; in refine mode only what the
 * instruction touched changes.
 */
export function applyIntent(opts: {
  base: EnvironmentSpec;
  intent: Intent;
  mode: 'compose' | 'refine';
  /** The catalog this composition reads (the deployment's, with admin-added apps); built-in entries when not given. */
  apps?: AppLookup;
}): AppliedIntent {
  const lookup = opts.apps ?? findAppById;
  const { intent, mode } = opts;
  const compose = mode === 'compose';
  const spec: EnvironmentSpec = structuredClone(opts.base);
  const problems: ComposeProblem[] = [...intent.policy, ...intent.quantities.problems];
  const questions: string[] = [];
  const assumptions: string[] = [];
  const defaults: string[] = [];
  // A default reads as one: "Operating system: Debian 12 (default)", never as if it had been asked for.
  const assume = (s: string) => {
    if (!compose) return;
    const d = s.replace(/\.$/, ' (default).');
    assumptions.push(d);
    defaults.push(d);
  };
  const lang = intent.language.code;

  if (intent.injection) assumptions.push('Text that looked like instructions to GenOS was read as part of the request, not obeyed.');

  // Applications.
  const wanted = wantedApps(intent);
  const removed = new Set(intent.apps.filter((a) => a.negated).map((a) => a.app.id));
  const current = compose ? [] : spec.apps.filter((id) => !removed.has(id));
  const added = wanted.filter((a) => !current.includes(a.id));
  spec.apps = [...current, ...added.map((a) => a.id)];
  for (const m of intent.apps) {
    if (m.negated || !wanted.includes(m.app)) continue;
    if (m.how === 'generic') assumptions.push(`"${m.said}": ${m.app.name} (${m.app.id}).`);
    else if (m.how === 'fuzzy') assumptions.push(`"${m.said}" read as ${m.app.name}.`);
  }
  for (const u of intent.unavailable.filter((x) => !x.negated)) {
    const alt = u.entry.alternatives.map((id) => lookup(id)?.name ?? id);
    problems.push({ field: 'apps', message: `${u.said} is not available: ${u.entry.reason}${alt.length ? `; try ${alt.join(' or ')}` : ''}`, kind: 'unknown_software' });
  }
  const hint = (w: string) => intent.suggestions.find((x) => x.said === w);
  for (const word of intent.unknown) {
    const near = hint(word);
    problems.push({ field: 'apps', message: `"${word}" is not in this deployment's application catalog${near ? ` (did you mean ${near.app.name}?)` : ''}`, kind: 'unknown_software' });
  }
  for (const s of intent.suggestions.filter((x) => !intent.unknown.includes(x.said))) {
    questions.push(`"${s.said}" is not in the catalog: did you mean ${s.app.name} (${s.app.id})? Say its name to add it.`);
  }
  if (intent.vagueEditor) questions.push('Which editor do you mean: a text editor, a code editor (IDE), a photo editor or a video editor?');
  if (intent.unread.length) questions.push(unreadQuestion(lang, intent.unread));
  if (intent.uncertainNetwork) questions.push(networkQuestion(lang, intent.uncertainNetwork));
  if (intent.language.code !== 'en') assumptions.push(`Read as ${intent.language.name}.`);
  for (const a of intent.allowedByRuntime) assumptions.push(a);
  if (compose && spec.apps.length === 0 && !problems.some((p) => p.kind === 'unknown_software') && !questions.length) {
    spec.apps = ['xterm'];
    assumptions.push('No application named: added a terminal (xterm).');
  }
  if (compose) spec.name = slug(spec.apps.slice(0, 3).join('-'));
  const apps = spec.apps.map((id) => lookup(id)).filter((a): a is CatalogApp => Boolean(a));

  // Operating system and desktop.
  if (intent.os) {
    const { os, release, said } = intent.os;
    if (os.family === 'macos' || os.family === 'bsd') {
      problems.push({ field: 'os', message: `${os.name} cannot be built here: ${os.whyNot}`, kind: 'unsupported' });
    } else {
      spec.os = { family: os.family, distro: os.distro, release: release ?? os.defaultRelease };
      if (!release) assume(`Release: ${os.name} ${os.defaultRelease}${os.distro === 'debian' ? ' (bookworm)' : ''}, as "${said}" named none.`);
    }
  } else assume('Operating system: Debian 12.');
  if (intent.desktop) spec.desktop = intent.desktop.value;
  else assume(`Desktop: ${findDesktop(spec.desktop)?.name ?? spec.desktop}.`);

  // Runtime and isolation.
  const rt = intent.runtime;
  const needsVm = apps.filter((a) => a.requires.vm);
  if (rt.vm && rt.container) {
    problems.push({ field: 'runtime', message: 'asked for both a container and a virtual machine: choose one', kind: 'conflict' });
  } else if (rt.container && needsVm.length) {
    problems.push({ field: 'runtime', message: `${names(needsVm)} needs a kernel of its own, which a container sandbox does not give: ask for a VM instead`, kind: 'conflict' });
  } else if (rt.vm || intent.microVm) {
    spec.runtime = 'vm';
    if (intent.microVm && !rt.vm) assumptions.push(`"${intent.microVm.said}": microVMs are not offered here; a full virtual machine instead (its own kernel, slower to start).`);
  } else if (rt.container) spec.runtime = 'container';
  else if (rt.maximumIsolation) {
    spec.runtime = 'vm';
    assumptions.push('Strongest isolation: a virtual machine with its own kernel.');
  } else if (needsVm.length && spec.runtime !== 'vm') {
    spec.runtime = 'vm';
    assumptions.push(`Runtime: a virtual machine, because ${names(needsVm)} needs a kernel of its own.`);
  } else assume('Runtime: a container, the fastest to start.');
  if (rt.hardened || rt.maximumIsolation) {
    spec.isolation = 'hardened';
    if (compose) assumptions.push('Hardened sandbox, as the request handles untrusted content.');
  } else if (rt.standard) spec.isolation = 'standard';

  // Network.
  const net = intent.network;
  const needsNet = apps.filter((a) => a.requires.network);
  const addedNeedsNet = added.filter((a) => a.requires.network);
  const hosts = intent.allowHosts;
  if (hosts && (net.tor || net.team)) {
    problems.push({ field: 'network.allowHosts', message: `asked to reach only ${hosts.value.join(', ')} and for ${net.tor ? 'Tor' : 'the team network'}: choose one`, kind: 'conflict' });
  } else if (hosts) {
    spec.network = { mode: 'egress', allowHosts: hosts.value };
    assumptions.push(`Internet access limited to ${hosts.value.join(', ')} ("${hosts.said}"); nothing else is reachable.`);
  } else if (net.tor && net.direct) problems.push({ field: 'network.mode', message: `asked for all traffic through Tor and for direct internet access ("${intent.text.slice(...net.direct.span)}"): choose one`, kind: 'conflict' });
  else if (net.team && (net.tor || net.internet)) {
    problems.push({ field: 'network.mode', message: `asked for the team network and for ${net.tor ? 'Tor' : 'internet access'}: a team-network desktop reaches its team's desktops and nothing else; choose one`, kind: 'conflict' });
  } else if (net.none && net.tor) problems.push({ field: 'network.mode', message: 'asked for no network and for Tor, which needs a network: choose one', kind: 'conflict' });
  else if (net.none && net.internet) problems.push({ field: 'network.mode', message: `asked for no network ("${intent.text.slice(...net.none.span)}") and for internet access ("${intent.text.slice(...net.internet.span)}"): choose one`, kind: 'conflict' });
  else if (net.none && needsNet.length && ONLINE_PURPOSE.test(intent.text)) {
    problems.push({ field: 'network.mode', message: `asked for no network, but what ${names(needsNet)} is for here (${ONLINE_PURPOSE.exec(intent.text)![0].trim()}) needs the internet: choose one`, kind: 'conflict' });
  } else if (net.none) {
    spec.network.mode = 'none';
    if (needsNet.length) assumptions.push(`${names(needsNet)} will run without internet access, as asked.`);
  } else if (net.team) {
    spec.network.mode = 'team';
    assumptions.push("On your team's private network: it reaches your team's other team-network desktops, and no internet.");
  } else if (net.tor) {
    spec.network.mode = 'tor';
    assumptions.push('All traffic goes through Tor; nothing else leaves the environment.');
  } else if (net.internet) {
    spec.network.mode = 'egress';
    assumptions.push('Internet access (outbound only), as asked.');
  } else if ((compose ? needsNet : addedNeedsNet).length && spec.network.mode === 'none') {
    spec.network.mode = 'egress';
    assumptions.push(`Internet access (outbound only) because ${names(compose ? needsNet : addedNeedsNet)} needs it.`);
  } else if (compose && (rt.hardened || rt.maximumIsolation)) assumptions.push('No network: untrusted content stays cut off.');
  else assume('No network: nothing asked for one.');

  // Resources.
  const q = intent.quantities;
  if (q.memoryMiB !== undefined) {
    if (q.memoryMiB < 256) problems.push({ field: 'resources.memoryMiB', message: `${fmtMiB(q.memoryMiB)} of memory is too little: the minimum is 256 MiB`, kind: 'invalid' });
    else spec.resources.memoryMiB = Math.round(q.memoryMiB);
  } else if (compose) {
    const heavy = apps.filter((a) => HEAVY.has(a.id));
    if (heavy.length) spec.resources.memoryMiB = 2048;
    if (heavy.length) assumptions.push(`Memory: ${fmtMiB(spec.resources.memoryMiB)} (${names(heavy)} needs more than 1 GiB).`);
    else assume(`Memory: ${fmtMiB(spec.resources.memoryMiB)}.`);
  }
  const vague = intent.vague;
  if (q.memoryMiB === undefined && vague.memoryMiB) {
    spec.resources.memoryMiB = Math.max(spec.resources.memoryMiB, vague.memoryMiB.value);
    // Replaces the default memory line above: the user did say something.
    for (const list of [assumptions, defaults]) {
      const i = list.findIndex((a) => a.startsWith('Memory: '));
      if (i >= 0) list.splice(i, 1);
    }
    assumptions.push(`"${vague.memoryMiB.said}": ${fmtMiB(spec.resources.memoryMiB)} of memory (say a size to change it).`);
  }
  if (q.cpu !== undefined) spec.resources.cpu = q.cpu;
  else if (vague.cpu) {
    spec.resources.cpu = vague.cpu.value;
    assumptions.push(`"${vague.cpu.said}": ${vague.cpu.value} CPU cores (say a number to change it).`);
  } else assume(`CPU: ${spec.resources.cpu} core${spec.resources.cpu === 1 ? '' : 's'}.`);
  if (q.diskGiB !== undefined) spec.resources.diskGiB = q.diskGiB;
  else if (vague.diskGiB) {
    spec.resources.diskGiB = vague.diskGiB.value;
    assumptions.push(`"${vague.diskGiB.said}": ${vague.diskGiB.value} GiB of disk (say a size to change it).`);
  } else assume(`Disk: ${spec.resources.diskGiB} GiB.`);
  if (q.gpu !== undefined) spec.resources.gpu = q.gpu;

  // Display.
  if (intent.protocol) spec.display.protocol = intent.protocol.value;
  if (intent.resolution) spec.display = { ...spec.display, width: intent.resolution.width, height: intent.resolution.height };
  if (!intent.protocol && !intent.resolution) assume(`Screen: ${spec.display.width}x${spec.display.height} over ${spec.display.protocol.toUpperCase()}.`);

  // Lifetime and persistence.
  const life = intent.lifetime;
  if (life.conflictingHours) problems.push({ field: 'lifetime.maxHours', message: `two different lifetimes were asked for (${life.conflictingHours.join(' and ')} hours): choose one`, kind: 'conflict' });
  else if (life.maxHours && intent.deadline && Math.abs(life.maxHours.value - intent.deadline.hours) > 0.5) {
    problems.push({ field: 'lifetime.maxHours', message: `asked for ${life.maxHours.value} hours and for "${intent.deadline.said}" (${intent.deadline.hours} hours from now): choose one`, kind: 'conflict' });
  } else if (!life.maxHours && intent.deadline) {
    const d = intent.deadline;
    if (d.hours > 720) problems.push({ field: 'lifetime.maxHours', message: `"${d.said}" is ${d.hours} hours away, longer than the 720-hour (30-day) limit`, kind: 'invalid' });
    else {
      spec.lifetime.maxHours = Math.max(0.25, d.hours);
      assumptions.push(`Ends ${fmtEnd(d.end)}${d.impliedTime ? ' (no time of day was given: noon)' : ''}, ${spec.lifetime.maxHours} hours from the request, as "${d.said}" asked.`);
    }
  } else if (life.maxHours) {
    if (life.maxHours.value > 720) problems.push({ field: 'lifetime.maxHours', message: `${life.maxHours.value} hours is longer than the 720-hour (30-day) limit`, kind: 'invalid' });
    else spec.lifetime.maxHours = Math.max(0.25, life.maxHours.value);
  }
  if (life.neverSuspend && life.idleSuspendMinutes) problems.push({ field: 'lifetime.idleSuspendMinutes', message: 'asked both to suspend when idle and never to suspend: choose one', kind: 'conflict' });
  else if (life.neverSuspend) {
    spec.lifetime.idleSuspendMinutes = 1440;
    assumptions.push('Never suspended for idleness within a day (1440 minutes, the longest allowed).');
  } else if (life.idleSuspendMinutes) {
    if (life.idleSuspendMinutes.value < 1 || life.idleSuspendMinutes.value > 1440) problems.push({ field: 'lifetime.idleSuspendMinutes', message: 'idle suspend must be between 1 minute and 24 hours', kind: 'invalid' });
    else spec.lifetime.idleSuspendMinutes = life.idleSuspendMinutes.value;
  }
  if (!life.idleSuspendMinutes && !life.neverSuspend) assume(`Suspends after ${spec.lifetime.idleSuspendMinutes} idle minutes.`);
  if (!life.maxHours && !intent.deadline) assume(`Ends after ${spec.lifetime.maxHours} hours.`);
  if (intent.persistence?.conflict) problems.push({ field: 'persistence.homeVolume', message: 'asked both to keep files between sessions and to erase everything: choose one', kind: 'conflict' });
  else if (intent.persistence) spec.persistence.homeVolume = intent.persistence.value;
  else assume('Files are not kept after the environment ends.');

  return { draft: spec, problems, questions, assumptions, defaults, unread: intent.unread };
}
