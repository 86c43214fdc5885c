/** Tokenising shared by the composer's extractors. */

export interface Token {
  /** Lowercase word; keeps package-like shapes such as "c++", "docker.io", "x11-apps". */
  text: string;
  start: number;
  end: number;
  /** Punctuation (, ; . ! ? : parentheses, newline) separates it from the previous token. */
  afterBreak: boolean;
  /** Directly after a hyphen: part of one compound word ("zorblaxx-studio"). */
  joined: boolean;
}

/** Lowercases, straightens quotes and dashes, collapses spaces; offsets stay meaningful for the result. */
export function normalize(request: string): string {
  return request
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\u00d7/g, 'x')
    .replace(/\bw\/o\b/g, 'without')
    // "thunderbird+keepassxc" is two apps; "c++" and "notepad++" keep their pluses.
    .replace(/([a-z0-9])\+(?=[a-z])/g, '$1 + ')
    .replace(/\bw\/(?=\s)/g, 'with')
    .replace(/[ \t\u00a0]+/g, ' ');
}

// Hyphens split words ("mind-mapping", "firefox-esr"): catalog names are matched with hyphens read as spaces.
const WORD = /[a-z0-9][a-z0-9+#'./]*[a-z0-9+#]|[a-z0-9]/g;
const BREAK = /[,;.!?:()[\]{}\n]|\band\b|\bbut\b/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    // "files." and "files/" end a sentence: strip trailing dots and slashes the pattern kept.
    let word = m[0];
    const start = m.index;
    while (/[./]$/.test(word)) word = word.slice(0, -1);
    const between = text.slice(last, start);
    tokens.push({ text: word, start, end: start + word.length, afterBreak: tokens.length > 0 && /[,;.!?:()[\]{}\n]/.test(between), joined: tokens.length > 0 && between === '-' });
    last = start + m[0].length;
  }
  return tokens;
}

export const isBreakWord = (w: string) => BREAK.test(w);

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, none: 0, a: 1, an: 1, one: 1, single: 1, two: 2, couple: 2, dual: 2, double: 2, three: 3, triple: 3, four: 4, quad: 4,
  five: 5, six: 6, seven: 7, eight: 8, octa: 8, nine: 9, ten: 10, twelve: 12, sixteen: 16, twenty: 20, 'twenty-four': 24,
  eleven: 11, thirteen: 13, fourteen: 14, fifteen: 15, eighteen: 18, thirty: 30, 'thirty-two': 32, forty: 40, fifty: 50, sixty: 60, 'sixty-four': 64,
  seventy: 70, eighty: 80, ninety: 90, hundred: 100, half: 0.5,
};

/** "4", "4.5", "-2", "two", "half" → number; anything else → undefined. */
export function parseNumber(word: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(word)) return parseFloat(word);
  return NUMBER_WORDS[word];
}

/** A regex alternation for numbers as digits or words, capturing the number. */
export const NUMBER_PATTERN = `(-?\\d+(?:\\.\\d+)?|${Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join('|')})`;

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
