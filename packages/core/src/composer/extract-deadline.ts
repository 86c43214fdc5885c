import * as chrono from 'chrono-node';
import type { LanguageCode } from './detect-language';

export interface Deadline {
  /** Hours from the request's time to the deadline, rounded up to a quarter hour. */
  hours: number;
  /** When it ends, for the assumption ("Wed 17:00"). */
  end: Date;
  /** The words it came from, as written. */
  said: string;
  span: [number, number];
  /** The date had no time of day ("till Monday"): chrono's noon was used, and the assumption says so. */
  impliedTime: boolean;
}

/** A word that makes the date after it a deadline, per language; Japanese and Chinese put theirs after. */
const BEFORE = /(?:\buntil|\btill|\btil\b|'til|\bby|\bthrough|\bup\s+to|\bjusqu'(?:à|au|a)|\bavant|\bbis(?:\s+zum|\s+um)?|\bhasta(?:\s+el)?|\baté(?:\s+(?:às|as|o|a))?|\bfino\s+(?:a|al|alle|all')|\bentro|直到|到)/gu;
const AFTER = /(?:まで|为止|之前|\s+is\s+when\s+i'?m\s+done|\s+and\s+(?:then\s+)?(?:shut|turn)\s+it\s+(?:off|down))/gu;
const TIME_WORD = /\d|noon|midnight|tonight|tomorrow|today|morning|evening|afternoon|night|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|week|month|midi|minuit|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|soir|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|mittag|abend|nacht|lunes|martes|miércoles|jueves|viernes|sábado|domingo|mañana|tarde|noche|segunda|terça|quarta|quinta|sexta|amanhã|noite|meio-dia|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|domani|sera|mezzogiorno|[一二三四五六七八九十两]|明|今|晚|周|星期|点|時|午|朝|夜|曜/u;
const PARSERS: Partial<Record<LanguageCode, chrono.Chrono>> = { fr: chrono.fr.casual, de: chrono.de.casual, es: chrono.es.casual, pt: chrono.pt.casual, it: chrono.it.casual, ja: chrono.ja.casual, zh: chrono.zh.casual };

const endOfDay = (now: Date) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 0);
const REST_OF_DAY = /\b(?:for\s+)?the\s+rest\s+of\s+(?:the\s+|to)?day\b|\b(?:just\s+|only\s+)?for\s+today(?:\s+only)?\b|\buntil\s+(?:the\s+)?end\s+of\s+(?:the\s+)?day\b|\buntil\s+midnight\b/;
const END_OF_WEEK = /\b(?:until|till|through)\s+(?:the\s+)?end\s+of\s+(?:the|this)\s+week\b/;

const hoursUntil = (now: Date, end: Date) => Math.ceil((end.getTime() - now.getTime()) / 900_000) / 4;

/**
 * A deadline in the request ("until 5 pm", "till Monday", "jusqu'à 17h",
 * "bis 16 Uhr", "15時まで", "for the rest of the day"), read by chrono-node in
 * the request's language (English as well, since app names and times are
 * often written in English), turned into hours from the request's time.
 */
export function extractDeadline(text: string, lang: LanguageCode, now: Date): Deadline | undefined {
  const rest = REST_OF_DAY.exec(text);
  if (rest) {
    const end = endOfDay(now);
    return { hours: hoursUntil(now, end), end, said: rest[0].trim(), span: [rest.index, rest.index + rest[0].length], impliedTime: false };
  }
  const week = END_OF_WEEK.exec(text);
  if (week) {
    // The working week ends on Friday evening.
    const daysToFriday = (5 - now.getDay() + 7) % 7;
    const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToFriday, 18, 0, 0);
    if (end > now) return { hours: hoursUntil(now, end), end, said: week[0], span: [week.index, week.index + week[0].length], impliedTime: true };
  }
  const parsers = [PARSERS[lang], chrono.en.casual].filter((p): p is chrono.Chrono => Boolean(p));
  // chrono reads only a short window next to a deadline word: it is slow on long text full of numbers ("16 GB").
  const windows: { from: number; to: number; trigger: [number, number]; after: boolean }[] = [
    ...[...text.matchAll(BEFORE)].map((m) => ({ from: m.index + m[0].length, to: Math.min(text.length, m.index + m[0].length + 36), trigger: [m.index, m.index + m[0].length] as [number, number], after: false })),
    ...[...text.matchAll(AFTER)].map((m) => ({ from: Math.max(0, m.index - 30), to: m.index, trigger: [m.index, m.index + m[0].length] as [number, number], after: true })),
  ];
  for (const w of windows) {
    // No digit and no word of time: nothing for chrono to read ("by rdp", "through tor").
    if (!TIME_WORD.test(text.slice(w.from, w.to))) continue;
    // "until 9 tonight" is 21:00 today (chrono reads only "tonight"); "18h" is 18:00 (chrono's Portuguese misses it).
    // "las 6 de la tarde" / "às 6 da tarde" is 18:00 (chrono reads "las 6" alone as morning).
    const slice = rewrite(
      text.slice(w.from, w.to),
      /\b(\d{1,2})\s+tonight\b|(?<![\d:])(\d{1,2})h(?![\p{L}\d])|(?<![\d:])(\d{1,2})(?::(\d\d))?\s+d[ea]\s+(?:la\s+)?(tarde|noche|noite|mañana|manhã)|(の)朝(?=\d)/gu,
      // "明日の朝9時" is "明日の9時" to chrono's Japanese.
      (m) => (m[6] ? 'の' : m[1] ? `${m[1]} pm tonight` : m[2] ? `${m[2]}:00` : `${(Number(m[3]) % 12) + (/^(?:tarde|noche|noite)$/.test(m[5]!) ? 12 : 0)}:${m[4] ?? '00'}`),
    );
    for (const parser of parsers) {
      const r = parser.parse(slice.text, now, { forwardDate: true })[0];
      if (!r) continue;
      const start = w.from + slice.at(r.index);
      const end = w.from + slice.at(r.index + r.text.length);
      // Right next to the deadline word (an article may sit between: "hasta las 14:00", "fino alle 17").
      const gap = w.after ? text.slice(end, w.trigger[0]) : text.slice(w.trigger[1], start);
      if (!/^\s*(?:(?:the|las?|el|le|à|às|as|o|a|alle|zum|um|at)\s+)?$/u.test(gap)) continue;
      // "for 3 hours" and "in 2 days" are durations, read elsewhere; a deadline names a time or a day.
      if (!r.start.isCertain('hour') && !r.start.isCertain('weekday') && !r.start.isCertain('day')) continue;
      const spanStart = w.after ? start : w.trigger[0];
      const spanEnd = w.after ? w.trigger[1] : end;
      return { hours: hoursUntil(now, r.start.date()), end: r.start.date(), said: text.slice(spanStart, spanEnd).trim(), span: [spanStart, spanEnd], impliedTime: !r.start.isCertain('hour') };
    }
  }
  return undefined;
}

/** Rewrites matches and keeps a way back to the original offsets, so spans stay meaningful. */
function rewrite(text: string, re: RegExp, fn: (m: RegExpMatchArray) => string): { text: string; at: (i: number) => number } {
  let out = '';
  let last = 0;
  const marks: [outAt: number, inAt: number][] = [];
  for (const m of text.matchAll(re)) {
    out += text.slice(last, m.index);
    marks.push([out.length, m.index]);
    const replacement = fn(m);
    out += replacement;
    last = m.index + m[0].length;
    marks.push([out.length, last]);
  }
  out += text.slice(last);
  const at = (i: number) => {
    let mapped = i;
    for (const [o, n] of marks) if (o <= i) mapped = n + (i - o);
    return Math.min(mapped, text.length);
  };
  return { text: out, at };
}
