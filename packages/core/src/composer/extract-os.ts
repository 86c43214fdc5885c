import { OS_CATALOG, type OsEntry } from '../catalog/os-catalog';
import { escapeRegex } from './text';

export interface OsCue {
  os: OsEntry;
  /** The named release, or undefined when only the OS was named. */
  release?: string;
  /** What the user wrote, for messages ("Ubuntu 22.04"). */
  said: string;
  span: [number, number];
}

interface Rule {
  re: RegExp;
  os: OsEntry;
  release?: string;
}

// Longest names first so "arch linux" wins over "arch" and "windows server" over "windows".
const RULES: Rule[] = OS_CATALOG.flatMap((os) => [
  ...os.aliases.map((a) => ({ re: new RegExp(`(?<![\\w-])${escapeRegex(a)}(?![\\w]|-(?!based\\b|like\\b))`), os, release: undefined as string | undefined, len: a.length })),
  ...os.releases.flatMap((r) => r.aliases.filter((a) => !/^\d/.test(a)).map((a) => ({ re: new RegExp(`(?<![\\w-])${escapeRegex(a)}(?![\\w]|-(?!based\\b|like\\b))`), os, release: r.version, len: a.length }))),
])
  .sort((a, b) => b.len - a.len)
  .map(({ re, os, release }) => ({ re, os, release }));

const VERSION_AFTER = /^\s*(?:version\s+|release\s+|v)?(\d{1,4}(?:\.\d{1,2})?|xp|vista|server\s+\d{4}|rolling|sid)(?:\s+lts)?\b/;

const WINDOWS_BEFORE = /(?:^|[,;:.!?(]\s*|\b(?:a|an|on|in|run|running|use|using|with|want|need|install|of|for|like|boot|to|into|under|is|it's|plain|real|genuine|full|my|proper)\s+)$/;

export function extractOs(text: string): OsCue | undefined {
  let best: OsCue | undefined;
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (!m || (best && m.index >= best.span[0])) continue;
    let release = rule.release;
    let end = m.index + m[0].length;
    const v = VERSION_AFTER.exec(text.slice(end));
    // "debian 12", "ubuntu 22.04", "windows 11", "windows server 2022"; not "windows 2 cores".
    if (!release && v?.[1] && !/^\s*\d+(\.\d+)?\s*(?:gb|gib|g|mb|cores?|cpus?|vcpus?|gigs?|hours?|minutes?|days?|x\d)/.test(text.slice(end))) {
      release = v[1].replace(/^server\s+/, '');
      // "Debian 12.5" is a point release of Debian 12.
      const major = release.split('.')[0]!;
      if (!rule.os.releases.some((r) => r.version === release) && rule.os.releases.some((r) => r.version === major)) release = major;
      end += v[0].length;
    }
    // "two firefox windows": a bare plural "windows" after a word that is not a way of asking for an OS is a window.
    if (m[0] === 'windows' && !release && !WINDOWS_BEFORE.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
    best = { os: rule.os, release, said: text.slice(m.index, end), span: [m.index, end] };
  }
  if (best && !best.release) {
    // A codename elsewhere in the sentence ("debian ... bookworm") names the release.
    for (const rule of RULES) if (rule.os === best.os && rule.release && rule.re.test(text)) best.release = rule.release;
  }
  return best;
}
