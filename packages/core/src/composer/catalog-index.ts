import Fuse from 'fuse.js';
import { APP_CATALOG, type CatalogApp } from '../catalog/app-catalog';
import { UNAVAILABLE_SOFTWARE, type UnavailableSoftware } from '../catalog/unavailable-software';

export type PhraseTarget =
  | { kind: 'app'; app: CatalogApp }
  | { kind: 'generic'; app: CatalogApp; term: string }
  | { kind: 'unavailable'; entry: UnavailableSoftware };

/** Lookup structures over one catalog, built once per catalog array. */
export interface CatalogIndex {
  phrases: Map<string, PhraseTarget>;
  maxWords: number;
  /** Fuzzy search over names, one index per first letter: typos rarely hit the first letter, and small indexes keep a search well under a millisecond. */
  fuzzy: (word: string) => { key: string; app: CatalogApp; score: number; distance: number } | undefined;
  /** fuzzy() for callers that only accept a name within two edits: undefined at once when none is. */
  near: (word: string) => { key: string; app: CatalogApp; score: number; distance: number } | undefined;
  /** Words that appear inside some multi-word name ("office" in "office suite"). */
  nameWords: Set<string>;
  byCategory: Map<string, CatalogApp[]>;
}

const cache = new WeakMap<readonly CatalogApp[], CatalogIndex>();

export function catalogIndex(catalog: readonly CatalogApp[] = APP_CATALOG): CatalogIndex {
  const hit = cache.get(catalog);
  if (hit) return hit;
  const phrases = new Map<string, PhraseTarget>();
  const fuzzyKeys: { key: string; app: CatalogApp }[] = [];
  const nameWords = new Set<string>();
  const byCategory = new Map<string, CatalogApp[]>();
  const put = (phrase: string, target: PhraseTarget) => {
    const key = phrase.toLowerCase().replace(/\s+/g, ' ').trim();
    // First claim wins: catalog order decides which app a generic name means.
    if (key && !phrases.has(key)) phrases.set(key, target);
    // Tokens split at hyphens, so "obs-studio" is also reachable as "obs studio".
    const spaced = key.replace(/-/g, ' ');
    if (spaced !== key && !phrases.has(spaced)) phrases.set(spaced, target);
  };
  for (const app of catalog) {
    put(app.id, { kind: 'app', app });
    put(app.name, { kind: 'app', app });
    for (const a of app.aliases) put(a, { kind: 'app', app });
    for (const g of app.generic) put(g, { kind: 'generic', app, term: g });
    for (const key of new Set([app.id, app.name.toLowerCase(), ...app.aliases])) if (key.length >= 3) fuzzyKeys.push({ key: key.replace(/-/g, ' '), app });
    for (const n of [...app.aliases, ...app.generic]) if (n.includes(' ')) n.split(' ').forEach((w) => nameWords.add(w));
    byCategory.set(app.category, [...(byCategory.get(app.category) ?? []), app]);
  }
  for (const entry of UNAVAILABLE_SOFTWARE) for (const n of entry.names) put(n, { kind: 'unavailable', entry });
  const maxWords = Math.max(...[...phrases.keys()].map((k) => k.split(' ').length));
  const buckets = new Map<string, Fuse<{ key: string; app: CatalogApp }>>();
  const byLetter = new Map<string, { key: string; app: CatalogApp }[]>();
  for (const letter of new Set(fuzzyKeys.map((k) => k.key[0]!))) {
    const keys = fuzzyKeys.filter((k) => k.key[0] === letter);
    byLetter.set(letter, keys);
    buckets.set(letter, new Fuse(keys, { keys: ['key'], includeScore: true, threshold: 0.34, ignoreLocation: true, minMatchCharLength: 3 }));
  }
  // Fuse proposes candidates; the closest by edit distance wins, so "vlcc" is VLC, not "vlc player".
  const fuzzy = (word: string) => {
    const hits = buckets.get(word[0] ?? '')?.search(word, { limit: 5 }) ?? [];
    const ranked = hits
      .filter((h) => h.score !== undefined)
      .map((h) => ({ ...h.item, score: h.score!, distance: editDistance(word, h.item.key) }))
      .sort((a, b) => a.distance - b.distance || a.score - b.score);
    if (ranked[0] && ranked[0].distance <= 1) return ranked[0];
    // Bitap misses some swaps ("krtia"); the bucket is small enough to measure every key of a similar length.
    const close = (byLetter.get(word[0] ?? '') ?? [])
      .filter((k) => Math.abs(k.key.length - word.length) <= 2)
      .map((k) => ({ ...k, score: 0.5, distance: editDistance(word, k.key) }))
      .sort((a, b) => a.distance - b.distance)[0];
    return close && (!ranked[0] || close.distance < ranked[0].distance) ? close : ranked[0];
  };
  // Most words a request leaves unread are nowhere near a name ("glorptastic"); no name within two
  // edits has a length within two of the word's, so those few are measured first and Fuse runs only
  // when one of them is that close. Same answers as fuzzy() wherever a caller needs distance <= 2.
  const near = (word: string) => {
    const close = (byLetter.get(word[0] ?? '') ?? []).some((k) => editDistanceAtMost(word, k.key, 2) <= 2);
    return close ? fuzzy(word) : undefined;
  };
  const index = { phrases, maxWords, fuzzy, near, nameWords, byCategory };
  cache.set(catalog, index);
  return index;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  return boundedEditDistance(a, b, Infinity);
}

/** editDistance when it is at most `max`, else max + 1 (known as soon as a whole row exceeds it). */
export function editDistanceAtMost(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  return boundedEditDistance(a, b, max);
}

// Three rolling rows instead of a matrix: the composer measures many short words per request, and
// allocating a matrix each time was most of its cost (and of its garbage).
let rows: Int32Array[] = [];

function boundedEditDistance(a: string, b: string, max: number): number {
  const n = b.length;
  if (rows.length === 0 || rows[0]!.length < n + 1) rows = [0, 1, 2].map(() => new Int32Array(Math.max(64, n + 1)));
  let prev2 = rows[0]!;
  let prev = rows[1]!;
  let cur = rows[2]!;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // Every later cell descends from this row (or the one before it, by a swap costing 1 more).
    if (rowMin > max && i < a.length) {
      let lastMin = rowMin;
      for (let j = 0; j <= n; j++) lastMin = Math.min(lastMin, prev[j]!);
      if (lastMin > max) return max + 1;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  const d = prev[n]!;
  return d > max ? max + 1 : d;
}
