import { eld } from 'eld/extrasmall';

/** The languages the composer reads beyond app names; anything else is read as English and said so. */
export const LANGUAGES = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  pt: 'Portuguese',
  it: 'Italian',
  zh: 'Chinese',
  ja: 'Japanese',
} as const;
export type LanguageCode = keyof typeof LANGUAGES;

export interface DetectedLanguage {
  code: LanguageCode;
  name: string;
  /** false: too little text to tell, or a language the composer does not read (it answers in English). */
  confident: boolean;
}

// eld's smallest database covers all eight (and 52 more); the subset keeps its guesses among the ones we read.
// Loading it costs a few hundred milliseconds once per process, at import: composing stays synchronous.
eld.setLanguageSubset(Object.keys(LANGUAGES));

const KANA = /[\u3040-\u30ff]/;
const HAN = /[\u4e00-\u9fff]/;
const OTHER_SCRIPT = /[\u0590-\u08ff\u0400-\u04ff\u0e00-\u0e7f\uac00-\ud7af]/;

/**
 * Which language a request is written in. Scripts settle Chinese and Japanese
 * (kana is Japanese only); Latin-script text goes to eld, helped by the
 * composer's own cue words, because requests are short and full of English
 * app names ("sin red" alone is as Portuguese as it is Spanish to n-grams).
 */
export function detectLanguage(text: string, cueVotes: Partial<Record<LanguageCode, number>> = {}): DetectedLanguage {
  const result = (code: LanguageCode, confident: boolean): DetectedLanguage => ({ code, name: LANGUAGES[code], confident });
  if (KANA.test(text)) return result('ja', true);
  if (HAN.test(text)) return result('zh', true);
  // One ordinary word ("io" in "docker.io") is half a vote: evidence needs a phrase or two words.
  const hasCues = Object.values(cueVotes).reduce((a: number, v) => a + (v ?? 0), 0) >= 1;
  // Plain ASCII with no word of another language is read as English without asking eld: it could only say English here.
  if (!hasCues && !/[^\x00-\x7f]/.test(text)) return result('en', true);
  const latin = text.replace(/[^\p{L}\s'-]/gu, ' ');
  const detected = eld.detect(latin);
  const scores: Record<string, number> = detected.getScores();
  // Cue words the composer recognised ("ohne", "sans", "núcleos") weigh as much as a clear n-gram lead.
  for (const [code, votes] of Object.entries(cueVotes)) scores[code] = (scores[code] ?? 0) + 0.15 * votes;
  const ranked = Object.entries(scores).sort((a, b) => b[1] - a[1]);
  const best = ranked[0];
  if (!best || !(best[0] in LANGUAGES)) return result('en', false);
  const code = best[0] as LanguageCode;
  // English stays the reading unless another language wins with evidence: eld alone is unreliable on a few words.
  if (code !== 'en' && !hasCues && !detected.isReliable()) return result('en', false);
  if (OTHER_SCRIPT.test(text) && !hasCues) return result('en', false);
  return result(code, code === 'en' ? detected.isReliable() || !hasCues : true);
}
