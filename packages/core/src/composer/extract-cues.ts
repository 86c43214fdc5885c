import { DESKTOP_CATALOG } from '../catalog/desktop-catalog';
import type { EnvironmentSpec } from '../spec/environment-spec';
import { escapeRegex } from './text';

/** A cue found in the request, with the span it consumed so app matching skips it. */
interface Found<T> {
  value: T;
  span: [number, number];
}

const first = <T>(text: string, rules: [RegExp, T][]): Found<T> | undefined => {
  let best: Found<T> | undefined;
  for (const [re, value] of rules) {
    const m = re.exec(text);
    if (m && (!best || m.index < best.span[0])) best = { value, span: [m.index, m.index + m[0].length] };
  }
  return best;
};

const NEGATED_BEFORE = /(?:\bnot?\b|\bwithout\b|\binstead\s+of\b|\brather\s+than\b|\bnever\b|\bdon'?t\s+(?:want|need)\b|\bno\s+need\s+for\b)\s+(?:a\s+|an\s+|any\s+|the\s+)?(?:[\w-]+\s+){0,2}$/;
const isNegatedAt = (text: string, at: number) => NEGATED_BEFORE.test(text.slice(Math.max(0, at - 24), at));

function allMatches(text: string, re: RegExp): Found<boolean>[] {
  const g = new RegExp(re.source, 'g');
  return [...text.matchAll(g)].map((m) => ({ value: !isNegatedAt(text, m.index), span: [m.index, m.index + m[0].length] as [number, number] }));
}

export interface NetworkCues {
  /** The user asked for no network ("offline", "no internet", "air-gapped"). */
  none?: Found<true>;
  /** The user asked for internet ("online", "browse the web"). */
  internet?: Found<true>;
  tor?: Found<true>;
  /** "on our team network", "reach my teammates' desktops": the team's private network. */
  team?: Found<true>;
  /** "direct internet without Tor": contradicts a Tor ask. */
  direct?: Found<true>;
}

const NO_NET = /\b(?:no|without|zero|disable|disabled|block|blocked|cut\s+off\s+from(?:\s+the)?|isolated\s+from(?:\s+the)?|not\s+connected\s+to(?:\s+the)?|no\s+access\s+to(?:\s+the)?|never\s+(?:touch|reach)(?:es)?(?:\s+the)?)\s+(?:any\s+|the\s+|outside\s+|external\s+|outbound\s+)?(?:internet|network(?:ing)?|net(?:work)?\s+access|internet\s+access|connectivity|egress|web\s+access|outbound\s+traffic)\b|\boffline\b|\bair[- ]?gap(?:ped)?\b|\bdisconnected\b|\bnot\s+online\b|\bno\s+net\b|\b(?:keep|stay|kept)s?\s+(?:it\s+|me\s+|this\s+)?off\s+(?:the\s+)?(?:internet|network|net|web|grid)\b|\boff\s+the\s+(?:internet|grid)\b|\bnetwork\s*[:=]\s*none\b|\b(?:do\s+not|don'?t|never|must\s+not|should\s+not|shouldn'?t)\s+(?:give|allow|grant|want|need|have|let)\s+(?:it\s+|me\s+|them\s+)?(?:to\s+)?(?:any\s+|the\s+)?(?:internet|network(?:ing)?|net\s+access|connectivity|web\s+access|online\s+access|go\s+online|reach\s+the\s+internet)|\b(?:do\s+not|don'?t|never|must\s+not|should\s+not|shouldn'?t)\s+let\s+(?:it|them|this|the\s+\w+)\s+(?:touch|reach|access|use|connect\s+to|go\s+on|get\s+on|talk\s+to|see)\s+(?:the\s+)?(?:internet|network|net|web|outside\s+world)\b/;
const INTERNET = /\b(?:internet(?:\s+access)?|online|web\s+access|network\s+access|networking|browse(?!\s+(?:it|them|this|that|these|those|through|my\s+files|files|folders|the\s+(?:files|folders|usb|stick|drive|disk|contents|directory|photos|pictures))\b)|browsing|surf(?:ing)?\s+the\s+web|download(?:ing)?|connected\s+to\s+the\s+(?:internet|web)|access\s+(?:to\s+)?the\s+web|sync(?:hroni[sz]e)?s?|imap|smtp|gmail|webmail|check(?:ing)?\s+(?:my\s+)?(?:e-?mails?|inbox)|git\s+(?:clone|pull|push)|apt(?:-get)?\s+install)\b/;
const DIRECT = /\b(?:direct|normal|regular|plain|clearnet)\s+(?:internet|connection|access|network|browsing)\b|\bwithout\s+(?:going\s+through\s+)?tor\b|\bbypass(?:ing)?\s+tor\b|\bnot\s+(?:through|via|over)\s+tor\b|\boutside\s+(?:of\s+)?tor\b/;
const TEAM_NET = /\b(?:team(?:'s)?\s+(?:private\s+)?(?:network|lan|subnet)|(?:my|our)\s+team(?:'s|mates'?)?\s+(?:machines|desktops|computers|environments|boxes|vms)|(?:by\s+)?(?:my|our)\s+team(?:mates)?\s+only|team[- ]only|only\s+(?:to\s+)?(?:my|our)\s+team(?:mates)?|(?:talk|connect|reach)(?:s)?\s+to\s+(?:my\s+|our\s+|the\s+)?(?:team(?:mates?)?'?s?|colleagues?'?s?)\s+(?:desktops?|environments?|machines?|boxes))\b/;
const TOR = /\b(?:tor|onion|via\s+tor|through\s+tor|\.onion|torbrowser|tor-browser)\b/;

/** Where the request says plainly there should be no network, if it does. */
export function noNetworkSpan(text: string): [number, number] | undefined {
  const m = NO_NET.exec(text);
  return m ? [m.index, m.index + m[0].length] : undefined;
}

export function extractNetworkCues(text: string): NetworkCues {
  const cues: NetworkCues = {};
  const none = NO_NET.exec(text);
  if (none) cues.none = { value: true, span: [none.index, none.index + none[0].length] };
  // "internet" inside "no internet" is the negative cue, not a positive one.
  const internet = allMatches(text, INTERNET).find(
    (f) => f.value && !(none && f.span[0] >= none.index && f.span[0] < none.index + none[0].length),
  );
  if (internet) cues.internet = { value: true, span: internet.span };
  const tor = allMatches(text, TOR).find((f) => f.value);
  if (tor) cues.tor = { value: true, span: tor.span };
  const team = allMatches(text, TEAM_NET).find((f) => f.value);
  if (team) cues.team = { value: true, span: team.span };
  const direct = DIRECT.exec(text);
  if (direct) cues.direct = { value: true, span: [direct.index, direct.index + direct[0].length] };
  return cues;
}

export interface RuntimeCues {
  vm?: Found<true>;
  container?: Found<true>;
  /** "most isolated", "maximum isolation": a hardened profile in a VM. */
  maximumIsolation?: Found<true>;
  /** "suspicious attachment", "malware", "hardened". */
  hardened?: Found<true>;
  /** "standard isolation", "normal sandbox". */
  standard?: Found<true>;
}

const VM = /\bhardware[- ]virtuali[sz]ed\b|\b(?:virtual|vm|kvm)\s+guest\b|(?<![\w-])(?:vms?|virtual\s+machines?|kvm|qemu|libvirt|hypervisor|full\s+(?:os|operating\s+system)|own\s+kernel|virtuali[sz]ed)(?![\w-])/;
// Singular only: "a container" is a runtime ask, "testing containers" is an activity.
const CONTAINER = /\b(?:(?:docker|podman|oci)\s+container|container|containeri[sz]ed|container-based|lxc|lightweight)\b(?!s)/;
const MAX_ISOLATION = /\b(?:most|maximum|max|strongest|strictest|highest|fully|completely|totally)\s+(?:isolated|isolation|secure|locked[- ]down|sandboxed)\b|\bas\s+isolated\s+as\s+possible\b|\bsandboxed\s+as\s+much\s+as\s+possible\b/;
const HARDENED = /\b(?:suspicious|malware|malicious|untrusted|virus(?:es)?|phishing|quarantined?|ransomware|trojan|sketchy|dodgy|hardened|gvisor|runsc|air[- ]?gap(?:ped)?|detonate|infected|exploit\s+samples?|isolated|stranger|hostile|(?:maximum|max|high|highest|strict|extra)[- ]security|locked[- ]down|forensics?|seized|booby[- ]?trapped|compromised|tampered|untrustworthy|(?:don'?t|do\s+not|can'?t|cannot)\s+trust|unknown\s+senders?|(?:open|unpack|extract|run|inspect|read)\w*\s+(?:it\s+|them\s+|this\s+)?safely|safely\s+(?:open|unpack|extract|run|inspect|read)|without\s+risk(?:ing)?|(?:strange|weird|unknown|unexpected)\s+(?:\w+\s+)?(?:attachments?|files?|links?|emails?|executables?|binar(?:y|ies)|documents?))\b/;
const STANDARD = /\b(?:standard|normal|regular|default)\s+(?:isolation|sandbox|profile|security)\b/;

export function extractRuntimeCues(text: string): RuntimeCues {
  const cues: RuntimeCues = {};
  const pick = (re: RegExp) => allMatches(text, re).find((f) => f.value) as Found<true> | undefined;
  cues.maximumIsolation = pick(MAX_ISOLATION);
  cues.vm = pick(VM);
  cues.container = pick(CONTAINER);
  cues.hardened = pick(HARDENED);
  cues.standard = pick(STANDARD);
  return cues;
}

export function extractProtocol(text: string): Found<EnvironmentSpec['display']['protocol']> | undefined {
  return first(text, [
    [/\b(?:rdp|remote\s+desktop\s+protocol|xrdp|ms-?rdp|mstsc|(?:windows\s+)?remote\s+desktop\s+connection)\b/, 'rdp'],
    [/\bspice\b/, 'spice'],
    [/\b(?:vnc|x11vnc|tigervnc)\b/, 'vnc'],
  ]);
}

const DESKTOP_RULES: [RegExp, string][] = DESKTOP_CATALOG.flatMap((d) =>
  d.aliases
    .filter((a) => a !== 'mate' && a !== 'window manager' && a !== 'minimal desktop')
    .map((a) => [new RegExp(`\\b${escapeRegex(a)}\\b`), d.id] as [RegExp, string]),
).concat([[/\bmate\s+(?:desktop|session|de)\b/, 'mate'], [/(?:\bwith|\band|[+,&])\s*mate\b/, 'mate']]);

export const extractDesktop = (text: string): Found<string> | undefined => first(text, DESKTOP_RULES);

const UNIT_HOURS: Record<string, number> = { minute: 1 / 60, min: 1 / 60, m: 1 / 60, hour: 1, hr: 1, h: 1, day: 24, d: 24, week: 168, month: 720, year: 8760 };
const unitHours = (u: string) => UNIT_HOURS[u] ?? UNIT_HOURS[u.replace(/s$/, '')] ?? 1;
const NUM = '(\\d+(?:\\.\\d+)?(?:\\s+and\\s+a\\s+half)?|a\\s+quarter\\s+of\\s+an?|three\\s+quarters\\s+of\\s+an?|an?|one|two|three|four|five|six|eight|ten|twelve|twenty|thirty|forty|fifteen|half\\s+an?|a\\s+couple\\s+of|couple\\s+of|a\\s+couple|couple|few)';
const numValue = (raw: string): number => {
  const w = raw.replace(/\s+/g, ' ').trim();
  if (/^a quarter of an?$/.test(w)) return 0.25;
  if (/^three quarters of an?$/.test(w)) return 0.75;
  const half = /^(.*) and a half$/.exec(w);
  if (half?.[1]) return baseNumValue(half[1]) + 0.5;
  return baseNumValue(w);
};
const baseNumValue = (w: string) =>
  ({ a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, eight: 8, ten: 10, twelve: 12, twenty: 20, thirty: 30, forty: 40, fifteen: 15, 'half a': 0.5, 'half an': 0.5, 'a couple of': 2, 'couple of': 2, 'a couple': 2, couple: 2, few: 3 })[w.replace(/\s+/g, ' ')] ?? parseFloat(w);
// A single-letter unit binds only to the digits right before it: "am" is not a minute, "an h" nothing.
const UNIT_SINGULAR = '(minute|min|(?<=\\d)m|hour|hr|(?<=\\d)h|day|(?<=\\d)d|week|month|year)';
// "3d animation", "2D art": a glued d followed by a word is graphics, not days.
const UNIT = '(minutes?|mins?|(?<=\\d\\s?)m|hours?|hrs?|(?<=\\d\\s?)h|days?|(?<=\\d\\s?)d(?![\\w-]|\\s+(?!and\\b|with\\b|then\\b|max\\b|tops\\b|session)[a-z])|weeks?|months?|years?)';

const NEVER_SUSPEND = /\b(?:never|don'?t|do\s+not|no)\s+(?:auto[- ]?)?(?:suspend|pause|sleep|hibernate)\w*|\bno\s+idle\s+(?:suspend|timeout)\b/;

export interface LifetimeCues {
  /** "never suspend it": no idle suspend (the longest the spec allows). */
  neverSuspend?: Found<true>;
  maxHours?: Found<number>;
  /** Two different lifetimes in one request ("shut down after 1 hour ... stay up for 8 hours"). */
  conflictingHours?: [number, number];
  idleSuspendMinutes?: Found<number>;
}

const IDLE = new RegExp(
  `\\b(?:suspend|pause|sleep|hibernate|freeze)\\w*\\s+(?:it\\s+|me\\s+)?(?:after|(?:when|if|once|whenever)\\s+(?:it\\s+is\\s+|it's\\s+)?(?:idle|inactive|unused)(?:\\s+for)?(?:\\s+more\\s+than)?)\\s+${NUM}\\s*${UNIT}|` +
    `\\b(?:idle|inactive|inactivity|unused|untouched)\\s+(?:for|after)\\s+(?:more\\s+than\\s+)?${NUM}\\s*${UNIT}|` +
    `\\b(?:walk|step|go|am|i'?m|get|been|gone)\\s+(?:away|afk)\\s+(?:for\\s+)?(?:more\\s+than\\s+)?${NUM}\\s*${UNIT}|` +
    `\\b${NUM}\\s+idle\\s+${UNIT}|` +
    `\\bidle[- ]?(?:suspend|timeout|limit|sleep)\\s*(?:after|of|at|:|=)?\\s*${NUM}\\s*${UNIT}|` +
    `\\b(?:after\\s+)?${NUM}\\s*${UNIT}\\s+(?:of\\s+)?(?:idle|idling|inactivity|idleness|being\\s+idle|no\\s+input|without\\s+input)`,
);
const LIFE = new RegExp(
  `\\b(?:for|during|over|lasting|last(?:s)?|keep\\s+it\\s+(?:for|around\\s+for)|up\\s+to|max(?:imum)?\\s+(?:of\\s+)?|at\\s+most)\\s+(?:(?:the|next|following|about|around|roughly|like|maybe|approximately|just|only)\\s+|~\\s*){0,3}${NUM}\\s*${UNIT}\\b|` +
    `\\b(?:for|during)\\s+(?:the\\s+)?(?:next\\s+|whole\\s+|entire\\s+|full\\s+)?(hour|day|week|month|year|afternoon|morning|evening|weekend|night|workday|work\\s+day)\\b|` +
    `\\b${NUM}[- ]${UNIT_SINGULAR}(?:[- ]long)?\\s+(?:session|sandbox|environment|desktop|vm|lease|class|lesson|lecture|workshop|meeting|course|seminar|training|exam|demo|call|tutorial|webinar)\\b|` +
    // "shut it off after 3 hours", "delete it in 2 days"
    `\\b(?:shut|turn|switch|power)\\s+(?:it\\s+|everything\\s+)?(?:off|down)\\s+(?:after|in)\\s+${NUM}\\s*${UNIT}\\b|` +
    `\\b(?:terminate|end|kill|delete|destroy|expire|stop|remove)s?\\s+(?:it\\s+|itself\\s+|everything\\s+|the\\s+whole\\s+thing\\s+|the\\s+(?:vm|desktop|environment|session|machine|sandbox)\\s+)?(?:after|in)\\s+${NUM}\\s*${UNIT}\\b|` +
    `\\b${NUM}\\s*${UNIT}\\s+(?:max(?:imum)?|tops|at\\s+most|limit)\\b|` +
    `\\b(?:live|last|run|exist|stay\\s+up|be\\s+around)\\s+(?:any\\s+)?(?:longer\\s+than|more\\s+than|over|beyond)\\s+${NUM}\\s*${UNIT}\\b|` +
    // "(2 hours)" after what it is for: "tomorrow's lesson (2 hours)".
    `\\(\\s*(?:about\\s+|around\\s+|~\\s*)?${NUM}\\s*${UNIT}\\s*\\)|` +
    // Terse lists: "8h", "30min", "2d" glued to the number.
    // "3D" is graphics, not three days: a glued unit ends the phrase it is in.
    `(?<![\\w.])(\\d+(?:\\.\\d+)?)(h|hrs?|mins?|d)\\b(?=\\s*(?:$|[,;.!)]|\\b(?:and|with|session|sessions|max|tops|please|pls|of|on|for|then)\\b))|` +
    // A duration as its own list item: "firefox, 4h", ", 30min,", "..., a week"
    `(?:^|[,;:]\\s*|\\band\\s+)${NUM}\\s*${UNIT}\\s*(?=$|[,;.!]|\\b(?:and|with|of|on|using)\\b)`,
  'g',
);
const NAMED_SPANS: Record<string, number> = { hour: 1, day: 24, week: 168, month: 720, year: 8760, afternoon: 4, morning: 4, evening: 4, night: 12, weekend: 48, workday: 8, 'work day': 8 };

export function extractLifetime(text: string): LifetimeCues {
  const cues: LifetimeCues = {};
  const never = NEVER_SUSPEND.exec(text);
  if (never) cues.neverSuspend = { value: true, span: [never.index, never.index + never[0].length] };
  const m = IDLE.exec(text);
  if (m) {
    // Each alternative captures (number, unit); take the pair that matched.
    const at = m.findIndex((g, k) => k > 0 && g !== undefined);
    const n = m[at] ?? '';
    const u = m[at + 1] ?? 'minutes';
    cues.idleSuspendMinutes = { value: Math.round(numValue(n) * unitHours(u) * 60), span: [m.index, m.index + m[0].length] };
  }
  for (const l of text.matchAll(LIFE)) {
    if (m && l.index >= m.index && l.index < m.index + m[0].length) continue; // the idle phrase's own number
    const pair = ([[1, 2], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [14, 15], [16, 17], [18, 19]] as const).find(([n]) => l[n] !== undefined);
    let value = pair ? numValue(l[pair[0]]!) * unitHours(l[pair[1]] ?? 'hours') : l[3] ? NAMED_SPANS[l[3].replace(/\s+/g, ' ')] : undefined;
    // "1 hour and a half"
    if (value !== undefined && pair && /^\s+and\s+a\s+half\b/.test(text.slice(l.index + l[0].length))) value += 0.5 * unitHours(l[pair[1]] ?? 'hours');
    if (value === undefined || Number.isNaN(value)) continue;
    const rounded = Math.round(value * 100) / 100;
    if (!cues.maxHours) cues.maxHours = { value: rounded, span: [l.index, l.index + l[0].length] };
    else if (cues.maxHours.value !== rounded) {
      cues.conflictingHours = [cues.maxHours.value, rounded];
      break;
    }
  }
  return cues;
}

const KEEP = /\b(?:keep|save|preserve|persist|retain|store)\s+(?:all\s+)?(?:(?:my|the|our)\s+)?(?:files|data|work|documents|home|stuff|settings|changes|projects?)\b|\b(?:files|documents|data|work|stuff|home)\s+(?:need\s+to|needs\s+to|should|must|will|to)\s+(?:stick|stay)\s+around\b|\bstick\s+around\b|\bstill\s+be\s+there\b|\bbe\s+there\s+(?:when|next|tomorrow)\b|\bwhen\s+i\s+(?:log|come|sign)\s+back\b|\bpersist(?:ent|ence|s)?\b|\b(?:files|data|work|home|changes)\s+(?:should|must|will|to)\s+(?:survive|persist|stay|remain|be\s+kept|be\s+saved)\b|\bsurvives?\s+(?:a\s+)?(?:restart|terminat\w*|reboot|sessions)\b|\bbetween\s+sessions\b|\bhome\s+(?:volume|folder|directory|dir)\b|\bdon'?t\s+lose\s+(?:my|the|any|anything)\b|\bkeep\s+(?:it|them|everything)\s+(?:between|across|after)\b|\bacross\s+sessions\b/;
const EPHEMERAL = /\b(?:ephemeral|(?:erase|wipe|delete|clear)\s+(?:everything|all\s+(?:my\s+)?files|my\s+files|it\s+all)|throw-?away|disposable|temporary\s+(?:files|storage)|nothing\s+(?:should\s+|must\s+|will\s+)?(?:persists?|survives?|be\s+kept|saved|stays?)|don'?t\s+(?:keep|save)\s+(?:my|the|any)|no\s+persist\w*|wipe\s+(?:it|everything)|burner)\b/;

export function extractPersistence(text: string): (Found<boolean> & { conflict?: boolean }) | undefined {
  const no = EPHEMERAL.exec(text);
  const yes = KEEP.exec(text);
  const overlaps = no && yes && yes.index < no.index + no[0].length && no.index < yes.index + yes[0].length;
  if (no && yes && !overlaps && !/\b(?:don'?t|do\s+not|no)\s+(?:need\s+to\s+)?$/.test(text.slice(Math.max(0, yes.index - 16), yes.index))) {
    return { value: true, span: [yes.index, yes.index + yes[0].length], conflict: true };
  }
  if (no) return { value: false, span: [no.index, no.index + no[0].length] };
  return yes ? { value: true, span: [yes.index, yes.index + yes[0].length] } : undefined;
}

/** "a microVM", "firecracker": not offered; read as a virtual machine, and said so. */
export function extractMicroVm(text: string): Found<true> | undefined {
  const m = /\bmicro[- ]?vms?\b|\bfirecracker\b|\bcloud[- ]hypervisor\b/.exec(text);
  return m ? { value: true, span: [m.index, m.index + m[0].length] } : undefined;
}

const TLDS = 'com|org|net|io|dev|edu|gov|info|app|co|uk|de|fr|es|pt|it|nl|eu|jp|cn|ch|at|be|se|no|fi|dk|pl|cz|ca|us|au|br|in|ru|local|internal|lan|corp|example|test|cloud|ai|me|tech|site';
const HOST = new RegExp(`(?<![\\w@./-])((?:\\*\\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${TLDS})|(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d))(?![\\w-]|\\.[a-z0-9])`, 'g');
/** Words that make named hosts the only ones reachable (the spec's network.allowHosts). */
const ALLOW_ONLY = /\b(?:only|just|limited\s+to|limit(?:ed)?\s+it\s+to|restricted\s+to|restrict\w*\s+to|allow(?:ed)?|allowlist(?:ed)?|whitelist(?:ed)?|except|apart\s+from|other\s+than|reach|access|talk\s+to|connect\s+to)\b/;

/** Host names the desktop may reach ("only allowed to reach docs.example.org"), or nothing without such wording. */
export function extractAllowHosts(text: string, skip: [number, number][]): Found<string[]> | undefined {
  const hosts: string[] = [];
  let first: [number, number] | undefined;
  for (const m of text.matchAll(HOST)) {
    const span: [number, number] = [m.index, m.index + m[0].length];
    if (skip.some(([s, e]) => span[0] < e && span[1] > s)) continue;
    if (!hosts.includes(m[1]!)) hosts.push(m[1]!);
    first ??= span;
  }
  if (!hosts.length || !ALLOW_ONLY.test(text)) return undefined;
  return { value: hosts.slice(0, 64), span: first! };
}

/** All spans of host names, so they are accounted for. */
export const hostSpans = (text: string): [number, number][] => [...text.matchAll(HOST)].map((m) => [m.index, m.index + m[0].length]);
