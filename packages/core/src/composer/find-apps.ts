import type { CatalogApp } from '../catalog/app-catalog';
import type { UnavailableSoftware } from '../catalog/unavailable-software';
import type { CatalogIndex } from './catalog-index';
import type { Token } from './text';
import { editDistance } from './catalog-index';
import { FOREIGN_WORDS } from './foreign-words';
import { COMMON_WORDS, isKnownWord } from './vocabulary';

export interface AppMention {
  app: CatalogApp;
  /** The words the user wrote. */
  said: string;
  how: 'name' | 'generic' | 'fuzzy';
  /** For fuzzy matches: edits between what was written and the name. */
  distance?: number;
  negated: boolean;
  span: [number, number];
}

export interface AppFindings {
  mentions: AppMention[];
  unavailable: { entry: UnavailableSoftware; said: string; negated: boolean }[];
  /** Words in a list of software that match nothing in the catalog. */
  unknown: { word: string; span: [number, number] }[];
}

const NEGATORS = new Set(["isn't", 'isnt', "aren't", 'but', 'no', 'not', 'without', 'except', 'excluding', 'exclude', 'minus', 'remove', 'drop', 'skip', 'nor', "don't", 'dont', "doesn't", 'never', 'instead', 'rather', 'lose', 'ditch', 'delete', 'uninstall', 'replace', 'swap', 'forget', 'cancel', 'scratch', 'omit']);
/** Words that end a negation's reach ("no internet, with firefox"). */
const RESETS = new Set(['with', 'plus', 'also', 'add', 'but', 'and', 'including', 'include', 'want', 'need', 'install', 'use', 'by']);
const CONTRAST = new Set(['just', 'only', 'instead', 'but', 'rather', 'keep', 'is', 'are', 'enough', 'please']);
/** Words that continue a list of negated apps ("no firefox or chromium"). */
const LIST_JOINERS = new Set(['or', 'nor', 'and']);
/**
 * After these words a sentence names software. Kept narrow on purpose: calling
 * an ordinary word unknown software spoils an otherwise good request.
 */
const SLOT_WORDS = new Set(['run', 'launch', 'start', 'with', 'install', 'installed', 'plus', 'including', 'include', 'add', 'using', 'apps', 'app', 'software', 'programs', 'tools']);
/** Words that may follow a software name in a list: "frobnicator installed", "frobnicator please". */
const ITEM_ENDERS = new Set(['composer', 'designer', 'builder', 'creator', 'maker', 'edition', 'professional', 'enterprise', 'studio', 'pro', 'suite', 'editor', 'player', 'manager', 'reader', 'viewer', 'client', 'installed', 'preinstalled', 'please', 'pls', 'for', 'to', 'app', 'application', 'so', 'as', 'on', 'in']);
/** The app's own name or id, or an alias that is the first (canonical) one: the spelling a misspelling is measured against. */
const isKnownSpelling = (n: string, app: CatalogApp) => n === app.id || n === app.name.toLowerCase() || n === app.aliases[0];
const STRONG_SLOTS = new Set(['install', 'launch', 'run', 'add', 'installed']);
const FILLERS = new Set(['a', 'an', 'the', 'some', 'any', 'my', 'me', 'us', 'to', 'it', 'please', 'also', 'just', 'only', 'like', 'preinstalled', 'installed', 'latest', 'newest', 'recent', 'good', 'nice', 'simple', 'basic', 'full', 'open', 'source', 'free']);

interface Slice {
  tokens: Token[];
  consumed: (t: Token) => boolean;
  /** Words the user capitalised mid-sentence ("with Signal and Thunderbird"): names, even when also English words. */
  capitalized?: ReadonlySet<string>;
}

/**
 * Finds software in the request: longest catalog names first, then fuzzy
 * matches for words outside the English vocabulary, then what is left in a
 * list of software is reported as unknown.
 */
export function findApps(text: string, { tokens, consumed, capitalized }: Slice, index: CatalogIndex): AppFindings {
  const findings: AppFindings = { mentions: [], unavailable: [], unknown: [] };
  const matched = new Set<number>();
  let negation = 0; // tokens left in which a negator still applies
  let carry = false; // the last match was negated and a list joiner may carry it on

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    // A sentence end stops a negation and its list ("No browser or email. Just gnumeric.").
    if (tok.afterBreak && /[.!?;]\s*$/.test(text.slice(tokens[i - 1]?.end ?? 0, tok.start))) carry = false;
    if (tok.afterBreak && !carry) negation = 0;
    if (consumed(tok)) {
      // "no internet": the negator was spent on a cue, not on an app.
      if (negation) negation = 0;
      carry = false;
      continue;
    }
    // "but" negates only in "anything but X" / "everything but X".
    if (tok.text === 'but' && !/\b(?:anything|everything|all)\s*$/.test(text.slice(Math.max(0, tok.start - 12), tok.start))) {
      negation = 0;
      carry = false;
      continue;
    }
    if (NEGATORS.has(tok.text)) {
      negation = 4;
      carry = false;
      continue;
    }
    let hit: { len: number; key: string } | undefined;
    for (let len = Math.min(index.maxWords, tokens.length - i); len >= 1; len--) {
      const slice = tokens.slice(i, i + len);
      if (slice.some((t, k) => (k > 0 && t.afterBreak) || consumed(t))) continue;
      const key = slice.map((t) => t.text).join(' ');
      // Plurals of names: "flowcharts", "spreadsheets", "torrent clients".
      const singular = key.endsWith('s') && key.length > 4 ? key.slice(0, -1) : undefined;
      const found = index.phrases.has(key) ? key : singular && index.phrases.has(singular) ? singular : undefined;
      if (found) {
        hit = { len, key: found };
        break;
      }
    }
    if (hit) {
      const target = index.phrases.get(hit.key)!;
      // After a comma a negation carries on only while the list does: "no x, y or z", not "drop x, y is enough".
      const follower = tokens[i + hit.len];
      const listGoesOn = !follower || follower.afterBreak || LIST_JOINERS.has(follower.text);
      const negated: boolean = negation > 0 || (carry && (!tok.afterBreak || listGoesOn));
      const said = text.slice(tok.start, tokens[i + hit.len - 1]!.end);
      if (target.kind === 'unavailable') findings.unavailable.push({ entry: target.entry, said, negated });
      else {
        // A catalog alias that is a misspelling ("firefix", "remina") is still a guess, and said so.
        const typo = target.kind === 'app' && hit.len === 1 && !isKnownWord(hit.key) && hit.key !== target.app.id && [target.app.id, target.app.name.toLowerCase(), ...target.app.aliases].some((n) => { const d = editDistance(hit!.key, n); return d > 0 && d <= 2 && n.length > hit!.key.length - 1 && !n.includes(' ') && isKnownSpelling(n, target.app); });
        findings.mentions.push({ app: target.app, said, how: target.kind === 'generic' ? 'generic' : typo ? 'fuzzy' : 'name', ...(typo ? { distance: 1 } : {}), negated, span: [tok.start, tokens[i + hit.len - 1]!.end] });
      }
      for (let k = i; k < i + hit.len; k++) matched.add(k);
      i += hit.len - 1;
      carry = negated;
      negation = 0;
      continue;
    }
    // A negated list goes on through "or", "nor" and commas ("no firefox, chrome or edge"),
    // but not through contrast ("drop krita, gimp is enough"; "no games, just okular").
    if (carry && CONTRAST.has(tok.text)) carry = false;
    if (carry && (LIST_JOINERS.has(tok.text) || FILLERS.has(tok.text))) continue;
    carry = false;
    // "don't want a browser": a reset word right after a negator belongs to it.
    const afterNegator = i > 0 && NEGATORS.has(tokens[i - 1]!.text);
    if (RESETS.has(tok.text) && !afterNegator) negation = 0;
    else if (negation && !afterNegator) negation--;
  }

  // Fuzzy: words no dictionary knows ("firefix", "libreofice") near a catalog name.
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (matched.has(i) || consumed(tok) || tok.text.length < 4 || tok.text.length > 24 || !/^[a-z][a-z0-9+-]*$/.test(tok.text) || isKnownWord(tok.text) || FOREIGN_WORDS.has(tok.text)) continue;
    // A typo in the second word of a two-word name ("obs studoi") is matched as a pair.
    const prevTok = i > 0 && !tok.afterBreak && !consumed(tokens[i - 1]!) ? tokens[i - 1]! : undefined;
    const pair = prevTok ? index.near(`${prevTok.text} ${tok.text}`) : undefined;
    if (pair && prevTok && pair.distance <= 2 && pair.key.includes(' ')) {
      matched.add(i);
      const j = findings.mentions.findIndex((m) => m.span[0] === prevTok.start);
      if (j >= 0) findings.mentions.splice(j, 1);
      findings.mentions.push({ app: pair.app, said: `${prevTok.text} ${tok.text}`, how: 'fuzzy', distance: pair.distance, negated: false, span: [prevTok.start, tok.end] });
      continue;
    }
    const best = index.near(tok.text);
    // One edit for short words, two for longer ones: "vlcc", "firefix", "thunderbrid".
    const maxDistance = tok.text.length <= 5 ? 1 : 2;
    if (best && best.distance <= maxDistance && best.score <= 0.5) {
      matched.add(i);
      const prev = tokens.slice(Math.max(0, i - 3), i).map((t) => t.text);
      findings.mentions.push({ app: best.app, said: tok.text, how: 'fuzzy', distance: best.distance, negated: prev.some((p) => NEGATORS.has(p)) && !prev.some((p) => RESETS.has(p)), span: [tok.start, tok.end] });
    }
  }

  // Unknown: an unrecognised word where a list of software is being given.
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    // A name: capitalised mid-sentence, or a rarer word right after "install"/"launch" ("install gimpy").
    const name = (capitalized?.has(tok.text) ?? false) || (i > 0 && STRONG_SLOTS.has(tokens[i - 1]!.text) && !COMMON_WORDS.has(tok.text));
    if (matched.has(i) || consumed(tok) || tok.text.length < 3 || !/^[a-z][a-z0-9+-]*$/.test(tok.text) || (isKnownWord(tok.text) && !name) || FOREIGN_WORDS.has(tok.text) || index.nameWords.has(tok.text)) continue;
    if (tok.joined) continue; // reported with the word it is joined to
    let j = i - 1;
    while (j >= 0 && FILLERS.has(tokens[j]!.text)) j--;
    const prev = j >= 0 ? tokens[j]! : undefined;
    let last = i;
    while (tokens[last + 1]?.joined && !matched.has(last + 1)) last++;
    const next = tokens[last + 1];
    const endsItem = !next || next.afterBreak || LIST_JOINERS.has(next.text) || FILLERS.has(next.text) || ITEM_ENDERS.has(next.text);
    // The software named before a list joiner: "vlc and frobnicator", "vlc, frobnicator".
    let k = j;
    if (prev && LIST_JOINERS.has(prev.text)) {
      k = j - 1;
      while (k >= 0 && FILLERS.has(tokens[k]!.text)) k--;
    }
    const afterApp = k >= 0 && matched.has(k) && (tok.afterBreak || (prev !== undefined && LIST_JOINERS.has(prev.text)));
    // In a list of software: right after "with"/"install", or next to catalog names.
    // The request's first word, standing alone ("Scrivener pls, ..."), is a name too.
    const inSlot = (!prev && tok.text.length >= 4) || (prev !== undefined && SLOT_WORDS.has(prev.text)) || afterApp;
    // "frobnicator, vlc": a comma or joiner (not a colon: "for a bootcamp: thonny") before a catalog name.
    const separator = next ? text.slice(tokens[last]!.end, next.start) : '';
    const listNeighbour = next !== undefined && (/^\s*[,+&]\s*$/.test(separator) || LIST_JOINERS.has(next.text)) && (matched.has(last + 1) || matched.has(last + 2));
    const negated = prev ? NEGATORS.has(prev.text) : false;
    if ((inSlot || listNeighbour) && endsItem && !negated) findings.unknown.push({ word: text.slice(tok.start, tokens[last]!.end), span: [tok.start, tokens[last]!.end] });
  }
  return findings;
}
