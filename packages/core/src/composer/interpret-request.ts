import type { CatalogApp } from '../catalog/app-catalog';
import type { ComposeProblem } from './compose-result';
import type { CatalogIndex } from './catalog-index';
import { detectLanguage, type DetectedLanguage, type LanguageCode } from './detect-language';
import { extractAllowHosts, extractDesktop, extractLifetime, extractMicroVm, extractNetworkCues, extractPersistence, extractProtocol, extractRuntimeCues, hostSpans } from './extract-cues';
import { extractDeadline, type Deadline } from './extract-deadline';
import { extractOs } from './extract-os';
import { extractQuantities, extractResolution, extractVagueQuantities } from './extract-quantities';
import { findApps, type AppFindings, type AppMention } from './find-apps';
import { findPolicyViolations, INJECTION } from './find-policy-violations';
import { findUnread } from './find-unread';
import { normalize, tokenize } from './text';
import { translateRequest } from './translate-request';

/** Activities that imply a kind of application ("edit photos" → a photo editor). */
const LIST_ONLY_NAMES: [string, string][] = [['r', 'r-base']];

/** An activity is skipped when the user already named an app of a related kind (thonny for "coding"). */
const RELATED: Record<string, string[]> = {
  development: ['development', 'editor', 'education'],
  editor: ['editor', 'development'],
  media: ['media', 'audio'],
  audio: ['audio', 'media'],
};
const ACTIVITIES: [RegExp, string][] = [
  [/\b(?:edit(?:ing)?|retouch(?:ing)?|touch\s+up)\s+(?:some\s+|my\s+)?(?:photos?|pictures?|images?)\b|\bphoto\s+editing\b/, 'photo editor'],
  [/\b(?:edit(?:ing)?|cut(?:ting)?)\s+(?:some\s+|my\s+)?(?:videos?|footage|movies?)\b|\bvideo\s+editing\b/, 'video editor'],
  [/\b(?:edit(?:ing)?|record(?:ing)?)\s+(?:some\s+|my\s+)?(?:audio|podcasts?|sound)\b|\baudio\s+editing\b/, 'audio editor'],
  [/\b(?:browse|browsing|surf(?:ing)?)\s+(?:the\s+)?(?:web|internet|net|websites?)\b|\bweb\s+browsing\b|\bvisit\s+(?:a\s+)?(?:websites?|links?|urls?)\b|\bopen\s+(?:a\s+|the\s+)?(?:suspicious\s+|sketchy\s+)?(?:links?|urls?|websites?)\b/, 'browser'],
  [/\b(?:watch(?:ing)?|play(?:ing)?)\s+(?:some\s+|a\s+)?(?:videos?|movies?|films?|dvds?)\b/, 'video player'],
  [/\b(?:listen(?:ing)?\s+to|play(?:ing)?)\s+(?:some\s+)?music\b/, 'music player'],
  [/\b(?:write|writing|edit(?:ing)?)\s+(?:a\s+|some\s+|my\s+)?(?:documents?|letters?|essays?|reports?|papers?)\b/, 'word processor'],
  [/\b(?:work(?:ing)?\s+(?:on|with)|edit(?:ing)?)\s+(?:some\s+|a\s+|my\s+)?spreadsheets?\b/, 'spreadsheet'],
  [/\b(?:read(?:ing)?|view(?:ing)?|open(?:ing)?)\s+(?:a\s+|some\s+|my\s+|the\s+)?(?:suspicious\s+|untrusted\s+)?pdfs?\b/, 'pdf reader'],
  [/\b(?:write|writing)\s+(?:some\s+)?code\b|\b(?:coding|programming)\b(?!\s+(?:rhythm|drum|beat|pattern|music|synth|midi|lights?)s?\b)/, 'code editor'],
  [/\bprinted\s+circuit\s+boards?\b|\bpcbs?\b|\bcircuit\s+boards?\b/, 'pcb design'],
  [/\brip(?:ping)?\s+(?:\w+\s+){0,3}(?:audio\s+)?cds?\b/, 'cd ripper'],
  [/\b(?:check|read|send|write)(?:ing)?\s+(?:my\s+|some\s+)?e-?mails?\b/, 'email client'],
  [/\bdownload(?:ing)?\s+(?:some\s+)?torrents?\b/, 'torrent client'],
  [/\b(?:rss|atom)\s+feeds?\b|\bnews\s+feeds?\b/, 'rss reader'],
  [/\b(?:merge|combine|split|rearrange|reorder)\s+(?:\w+\s+){0,4}pdfs?\b/, 'merge pdf'],
  [/\b(?:store|manage|keep|save|remember)\s+(?:all\s+)?(?:of\s+)?(?:my\s+|our\s+|the\s+)?passwords\b/, 'password manager'],
  [/\bpdfs?\b[^.!?]{0,80}\b(?:read|view|open|look\s+at)\b|\b(?:read|view|open|look\s+at)\b[^.!?]{0,40}\bpdfs?\b/, 'pdf reader'],
  [/\b(?:record(?:ing)?\s+(?:my\s+|the\s+)?screen|screen\s+recording|screencast(?:ing)?|live\s*stream(?:ing)?)\b/, 'screen recorder'],
  [/\b(?:open|inspect|look\s+at|analy[sz]e)\s+(?:a\s+|an\s+|this\s+|some\s+)?(?:suspicious\s+|untrusted\s+|sketchy\s+)?(?:word\s+)?(?:attachments?|documents?|docx?\s+files?|office\s+files?)\b/, 'office suite'],
];

// Words that name the thing asked for; "setup" or "system" alone are too vague to build on.
const DESKTOP_WORDS = /\b(?:desktop|linux|workstation|environment|machine|computer|sandbox|vm|pc|laptop)\b/;

export interface Intent {
  text: string;
  apps: AppMention[];
  unavailable: AppFindings['unavailable'];
  unknown: string[];
  /** Names that are not in the catalog but close to one: asked about, never swapped for the other program. */
  suggestions: { said: string; app: CatalogApp }[];
  network: ReturnType<typeof extractNetworkCues>;
  runtime: ReturnType<typeof extractRuntimeCues>;
  protocol?: ReturnType<typeof extractProtocol>;
  resolution?: ReturnType<typeof extractResolution>;
  desktop?: ReturnType<typeof extractDesktop>;
  os?: ReturnType<typeof extractOs>;
  lifetime: ReturnType<typeof extractLifetime>;
  persistence?: ReturnType<typeof extractPersistence>;
  quantities: ReturnType<typeof extractQuantities>;
  policy: ComposeProblem[];
  /** Asks refused in a container that the spec's VM makes harmless, with the reason. */
  allowedByRuntime: string[];
  injection: boolean;
  /** The language the request was read in. */
  language: DetectedLanguage;
  /** "until 5 pm", "till Monday", "for the rest of the day". */
  deadline?: Deadline;
  /** "a microVM": not offered, read as a virtual machine. */
  microVm?: { span: [number, number]; said: string };
  vague: ReturnType<typeof extractVagueQuantities>;
  allowHosts?: { value: string[]; said: string };
  /** A network word next to a negation that could not be read: asked, never guessed. */
  uncertainNetwork?: string;
  /** Words nothing accounts for: reported back as not understood. */
  unread: string[];
  /** "an editor": which kind is unclear. */
  vagueEditor: boolean;
  /** The request names a desktop, machine or anything the composer understood. */
  understood: boolean;
}

const DISPLAY_WORDS = /\b(?:rdp|vnc|spice|remote\s+desktop|remote\s+access)\b/;
const VIA_BEFORE = /\b(?:via|over|through|using|by|with|use|from)\s+(?:an?\s+|the\s+|my\s+)?$/;
const CONNECT_AFTER = /^\s*(?:to\s+(?:connect|reach|access|get\s+in|log\s+in)|for\s+(?:connecting|access))\b/;

/** Words capitalised in the middle of a sentence: names. */
function capitalizedWords(request: string): Set<string> {
  const out = new Set<string>();
  for (const m of request.matchAll(/\b[A-Z][a-z][\w-]*/g)) {
    if (/(?:^|[.!?:]\s*|\n\s*)$/.test(request.slice(0, m.index))) continue;
    out.add(m[0].toLowerCase());
  }
  return out;
}

const inside = (span: [number, number], spans: [number, number][]) => spans.some(([s, e]) => span[0] >= s && span[1] <= e);

/** Reads everything the composer understands from a request; no defaults, no decisions. */
export function interpretRequest(request: string, index: CatalogIndex, opts: { now?: Date } = {}): Intent {
  // Other languages are rewritten into the English cue phrases first; what is not rewritten stays as written.
  const translated = translateRequest(normalize(request));
  const text = translated.text;
  const language = detectLanguage(request, translated.votes);
  const tokens = tokenize(text);
  const deadline = extractDeadline(text, language.code, opts.now ?? new Date());
  const microVm = extractMicroVm(text);
  const vague = extractVagueQuantities(text);
  const quantities = extractQuantities(text);
  const resolution = extractResolution(text);
  const os = extractOs(text);
  const lifetime = extractLifetime(text);
  const persistence = extractPersistence(text);
  const network = extractNetworkCues(text);
  const runtime = extractRuntimeCues(text);
  const consumedSpans: [number, number][] = [
    ...quantities.spans,
    ...(resolution ? [resolution.span] : []),
    ...(os ? [os.span] : []),
    ...(lifetime.maxHours ? [lifetime.maxHours.span] : []),
    ...(lifetime.idleSuspendMinutes ? [lifetime.idleSuspendMinutes.span] : []),
    ...(persistence ? [persistence.span] : []),
    ...(network.none ? [network.none.span] : []),
    ...(runtime.vm ? [runtime.vm.span] : []),
    ...(runtime.container ? [runtime.container.span] : []),
    ...(deadline ? [deadline.span] : []),
    ...(microVm ? [microVm.span] : []),
    ...[vague.cpu, vague.memoryMiB, vague.diskGiB].flatMap((v) => (v ? [v.span] : [])),
    // Host names, except those that are app names ("docker.io").
    ...hostSpans(text).filter((sp) => !index.phrases.has(text.slice(...sp))),
  ];
  const consumed = (t: { start: number; end: number }) => consumedSpans.some(([s, e]) => t.start < e && t.end > s);
  const found = findApps(text, { tokens, consumed, capitalized: capitalizedWords(request) }, index);

  const appSpans = found.mentions.map((m) => m.span);
  // "rdp" inside "rdp client" names an app, not the display protocol; likewise desktops and Tor.
  let protocol = extractProtocol(text);
  const protocolWasApp = protocol && inside(protocol.span, appSpans) ? protocol : undefined;
  if (protocol && inside(protocol.span, appSpans)) protocol = undefined;
  // "Windows Remote Desktop Connection" names a protocol client, not an OS.
  const osCue = os && protocol && os.span[0] < protocol.span[1] && protocol.span[0] < os.span[1] ? undefined : os;
  let desktop = extractDesktop(text);
  if (desktop && inside(desktop.span, appSpans)) desktop = undefined;
  // Words that are cues (a desktop, a protocol, Tor) are not unknown software.
  const cueSpans = [desktop?.span, protocol?.span, network.tor?.span, network.internet?.span, runtime.hardened?.span, runtime.maximumIsolation?.span, runtime.standard?.span].filter((x): x is [number, number] => Boolean(x));
  const unknown = found.unknown
    .filter((u) => !cueSpans.some(([s, e]) => u.span[0] < e && u.span[1] > s))
    // "Internetzugang?", "réseau": a network word, asked about below, not an app.
    .filter((u) => !/^(?:internet|netz|réseau|rede|rete|network)/.test(u.word))
    .map((u) => u.word);
  // "my antivirus flagged it" talks about the user's own software, not a wish; "remote desktop protocol" is a protocol.
  const mentions = found.mentions.filter(
    (m) =>
      !['tor', 'rdp', 'vnc', 'spice'].includes(m.said) &&
      !(m.said !== m.app.id && /\b(?:my|our)\s+$/.test(text.slice(Math.max(0, m.span[0] - 8), m.span[0]))) &&
      // "sent me a zip on telegram": a channel mentioned in passing, not an ask.
      !(m.app.category === 'communication' && /\b(?:on|via|over|through|from)\s+$/.test(text.slice(Math.max(0, m.span[0] - 10), m.span[0]))) &&
      // "an email attachment", "a browser link": the generic word describes something else.
      !(m.how === 'generic' && /^\s*(?:attachments?|files?|address(?:es)?|links?|accounts?|samples?|messages?|history|extensions?|cache|settings|tabs?|network|building|hours|wi-?fi|printers?|vpn|job|space|chair|supplies|party|politics)\b/.test(text.slice(m.span[1], m.span[1] + 16))) &&
      !(protocol && m.span[0] >= protocol.span[0] && m.span[1] <= protocol.span[1] && protocol.span[1] - protocol.span[0] > m.span[1] - m.span[0]) &&
      // "over RDP", "via remote desktop", "a VNC viewer to connect": how the user reaches this desktop, not an app in it.
      !(DISPLAY_WORDS.test(m.said) && (VIA_BEFORE.test(text.slice(Math.max(0, m.span[0] - 14), m.span[0])) || CONNECT_AFTER.test(text.slice(m.span[1], m.span[1] + 24)))),
  );

  // A display word dropped above still says how the user connects: "an rdp client to connect" is RDP.
  if (!protocol && protocolWasApp && !mentions.some((m) => inside(protocolWasApp.span, [m.span]))) protocol = protocolWasApp;
  // A lifetime read inside a deadline ("17h" in "jusqu'à 17h") is the deadline's clock time, not a duration.
  if (deadline && lifetime.maxHours && lifetime.maxHours.span[0] < deadline.span[1] && lifetime.maxHours.span[1] > deadline.span[0]) {
    // Set to undefined, not deleted: a delete turns the object into a slow dictionary for the rest of the request.
    lifetime.maxHours = undefined;
    lifetime.conflictingHours = undefined;
  }

  for (const [re, term] of ACTIVITIES) {
    const m = re.exec(text);
    const target = index.phrases.get(term);
    if (!m || !target || target.kind === 'unavailable') continue;
    const related = RELATED[target.app.category] ?? [target.app.category];
    if (mentions.some((x) => related.includes(x.app.category) && !x.negated)) continue;
    if (mentions.some((x) => x.app.id === target.app.id)) continue;
    mentions.push({ app: target.app, said: m[0], how: 'generic', negated: false, span: [m.index, m.index + m[0].length] });
  }

  // Single letters are names only inside a list of software ("Jupyter, R and git").
  for (const [letter, id] of LIST_ONLY_NAMES) {
    const app = index.phrases.get(id);
    const re = new RegExp(`(?:[,+&]|\\band\\b|\\bwith\\b)\\s*${letter}\\s*(?=[,+&]|\\band\\b|$)`, 'g');
    for (const m of text.matchAll(re)) {
      if (app?.kind !== 'app' || mentions.some((x) => x.app === app.app)) continue;
      const at = m.index + m[0].lastIndexOf(letter);
      mentions.push({ app: app.app, said: letter, how: 'name', negated: false, span: [at, at + letter.length] });
    }
  }
  // "a media player that isn't VLC": the generic word falls to the next app of its kind.
  const negatedIds = new Set(mentions.filter((m) => m.negated).map((m) => m.app.id));
  for (const m of mentions) {
    if (m.how !== 'generic' || m.negated || !negatedIds.has(m.app.id)) continue;
    const alternative = index.byCategory.get(m.app.category)?.find((a) => !negatedIds.has(a.id) && a.generic.length > 0);
    if (alternative) m.app = alternative;
  }
  // "a PDF reader like okular": a generic word yields to the app of its kind the user named.
  const named = mentions.filter((m) => m.how !== 'generic' && !m.negated);
  const kept = mentions.filter((m) => m.how !== 'generic' || m.negated || !named.some((n) => n.app.category === m.app.category && n.app !== m.app));
  mentions.length = 0;
  mentions.push(...kept);

  // Two edits away is another name, not a typo ("scriboz" is not surely Scribus): a question with the suggestion.
  const suggestions = mentions.filter((m) => m.how === 'fuzzy' && (m.distance ?? 0) >= 2 && !m.negated).map((m) => ({ said: m.said, app: m.app }));
  for (const sug of suggestions) mentions.splice(mentions.findIndex((m) => m.said === sug.said && m.app === sug.app), 1);
  // Unknown names close to a catalog name get it as a suggestion.
  for (const word of unknown) {
    const near = word.length >= 4 ? index.near(word) : undefined;
    if (near && near.distance <= 2 && !suggestions.some((x) => x.said === word)) suggestions.push({ said: word, app: near.app });
  }

  const apps = [...mentions].sort((a, b) => a.span[0] - b.span[0]);
  const hasEditorApp = apps.some((a) => ['editor', 'development', 'graphics'].includes(a.app.category));
  const vagueEditor = !hasEditorApp && /\b(?:an?|some|the|my)\s+(?:good\s+)?editor\b/.test(text);
  const rtVm = Boolean(runtime.vm || microVm);
  const policy = findPolicyViolations(text, { runtime: rtVm && !runtime.container ? 'vm' : undefined });
  const team = network.team;
  const hostCue = extractAllowHosts(text, appSpans);
  const allowHosts = hostCue ? { value: hostCue.value, said: text.slice(...hostCue.span) } : undefined;
  const accounted: [number, number][] = [
    ...consumedSpans,
    ...spansOf(found.mentions),
    ...spansOf(mentions),
    ...spansOf(found.unknown),
    ...cueSpans,
    ...(os ? [os.span] : []),
    ...(team ? [team.span] : []),
    ...(network.direct ? [network.direct.span] : []),
    ...(lifetime.neverSuspend ? [lifetime.neverSuspend.span] : []),
  ];
  const unread = unreadWords(text, { accounted, index, lang: language.code, alreadyAsked: translated.uncertainNetwork });
  const understood =
    Boolean(deadline || microVm || vague.cpu || vague.memoryMiB || vague.diskGiB || allowHosts || translated.uncertainNetwork) ||
    apps.length > 0 || found.unavailable.length > 0 || unknown.length > 0 || DESKTOP_WORDS.test(text) ||
    Boolean(osCue || desktop || protocol || resolution || persistence || lifetime.maxHours || lifetime.idleSuspendMinutes) ||
    Boolean(network.none || network.internet || network.tor || network.team || runtime.vm || runtime.container || runtime.hardened || runtime.maximumIsolation) ||
    quantities.cpu !== undefined || quantities.memoryMiB !== undefined || quantities.diskGiB !== undefined || quantities.gpu !== undefined || quantities.problems.length > 0;

  return {
    text, apps, unavailable: found.unavailable, unknown, suggestions, network, runtime, protocol, resolution, desktop, os: osCue, lifetime, persistence, quantities,
    policy, allowedByRuntime: policy.allowed ?? [], injection: INJECTION.test(request) || INJECTION.test(text), vagueEditor, understood,
    language, deadline, microVm: microVm ? { span: microVm.span, said: text.slice(...microVm.span) } : undefined, vague, allowHosts,
    uncertainNetwork: translated.uncertainNetwork, unread,
  };
}

/**
 * The spans of a list, by index. Not `list.map(...)` inline in interpretRequest: these lists are
 * sometimes empty (small-integer elements) and sometimes hold objects, and V8's inlined Array.map
 * deoptimised on that difference on every request once it began: a deopt loop in 3 of 8 bench runs,
 * and the composer's p99 tail (none in 8 runs since).
 */
function spansOf(list: readonly { span: [number, number] }[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < list.length; i++) out.push(list[i]!.span);
  return out;
}

const KERNEL_MODULE_ASK = /\b[\w-]+\s+kernel\s+(?:modules?|drivers?)\b|\b(?:insmod|modprobe)\s+[\w-]+/g;

/** The words nothing accounted for (findUnread), beside what the kernel-module ask and the network question used. */
function unreadWords(text: string, opts: { accounted: [number, number][]; index: CatalogIndex; lang: LanguageCode; alreadyAsked?: string }): string[] {
  const spans = [...opts.accounted];
  // The module named in a kernel-module ask ("the usbmon kernel module") belongs to that ask.
  for (const m of text.matchAll(KERNEL_MODULE_ASK)) spans.push([m.index, m.index + m[0].length]);
  // The network word already asked about is not asked about twice.
  return findUnread(text, { spans, index: opts.index, lang: opts.lang }).filter((w) => w !== opts.alreadyAsked);
}

export const wantedApps = (intent: Intent): CatalogApp[] => {
  const out: CatalogApp[] = [];
  const dropped = new Set(intent.apps.filter((a) => a.negated).map((a) => a.app.id));
  for (const m of intent.apps) if (!m.negated && !dropped.has(m.app.id) && !out.includes(m.app)) out.push(m.app);
  return out;
};
