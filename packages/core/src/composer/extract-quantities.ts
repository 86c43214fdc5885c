import type { ComposeProblem } from './compose-result';
import { NUMBER_PATTERN, parseNumber } from './text';

/** Resource sizes pulled out of free text: "2 vCPUs", "quad-core", "16GB", "half a gig", "a 30 gig drive", "a GPU". */
export interface Quantities {
  cpu?: number;
  memoryMiB?: number;
  diskGiB?: number;
  gpu?: number;
  /** Character spans consumed, so "4 gigs" is not read as an app name. */
  spans: [number, number][];
  problems: ComposeProblem[];
}

const N = NUMBER_PATTERN;
const SIZE_UNIT = '(tb|tib|terabytes?|gb|gib|gigs?|gigabytes?|g|mb|mib|megs?|megabytes?)';
const SIZE = new RegExp(`(?<![\\w.])(?:${N}(\\s+and\\s+a\\s+half)?|(half)\\s+(?:a|an))\\s*-?\\s*${SIZE_UNIT}(?![\\w])`, 'g');
const DISK_AFTER = /^\s*(?:of\s+)?(?:\w+\s+)?(?:disk|storage|ssd|hdd|drive|hard\s*drive|space|volume|nvme)\b/;
const MEM_AFTER = /^\s*(?:of\s+)?(?:\w+\s+)?(?:ram|memory|mem)\b/;
const DISK_BEFORE = /(?:disk|storage|ssd|hdd|drive|disk\s+space|disk\s+size)\s*(?:of|with|:|=|size|at)?\s*(?:about|around|at\s+least)?\s*$/;
const MEM_BEFORE = /(?:ram|memory|mem)\s*(?:of|with|:|=|size|at)?\s*(?:about|around|at\s+least)?\s*$/;
const CPU = new RegExp(
  `(?<![\\w.])${N}\\s*-?\\s*(?:x\\s*)?(?:v-?cpus?|cpus?|cpu\\s+cores?|cores?|processors?|vcores?|threads?)\\b|` +
    `\\b(single|dual|quad|hexa|octa|one|two|four|six|eight)[- ]?core\\b|` +
    `\\b(?:cpus?|cores|vcpus?)\\s*[:=]\\s*${N}`,
  'g',
);
const GPU = new RegExp(`(?:(?<![\\w.])${N}\\s*)?(?:nvidia\\s+|cuda\\s+)?(?:gpus?|graphics\\s+cards?|video\\s+cards?)\\b|\\bcuda\\b`, 'g');
const NO_GPU = /\b(?:no|without|zero)\s+(?:a\s+)?(?:gpus?|graphics\s+cards?)\b/;
const CORE_WORDS: Record<string, number> = { single: 1, one: 1, dual: 2, two: 2, quad: 4, four: 4, hexa: 6, six: 6, octa: 8, eight: 8 };

function toMiB(value: number, unit: string): number {
  if (unit.startsWith('t')) return value * 1024 * 1024;
  if (unit.startsWith('m')) return value;
  return value * 1024;
}

export function extractQuantities(text: string): Quantities {
  const q: Quantities = { spans: [], problems: [] };
  const invalid = (field: string, what: string) =>
    q.problems.push({ field, message: `${what} must be more than zero`, kind: 'invalid' });
  const unqualified: { mib: number; raw: string }[] = [];

  for (const m of text.matchAll(SIZE)) {
    const value = m[3] ? 0.5 : (parseNumber(m[1] ?? '') ?? NaN) + (m[2] ? 0.5 : 0);
    const unit = m[4] ?? '';
    if (Number.isNaN(value)) continue;
    q.spans.push([m.index, m.index + m[0].length]);
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 40);
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    const mib = toMiB(value, unit);
    const isDisk = DISK_AFTER.test(after) || (!MEM_AFTER.test(after) && DISK_BEFORE.test(before));
    const isMem = !isDisk && (MEM_AFTER.test(after) || MEM_BEFORE.test(before));
    if (isDisk) {
      if (value <= 0) invalid('resources.diskGiB', 'disk size');
      else q.diskGiB ??= Math.ceil(mib / 1024);
    } else if (isMem) {
      if (value <= 0) invalid('resources.memoryMiB', 'memory');
      else q.memoryMiB ??= Math.round(mib);
    } else unqualified.push({ mib, raw: m[0] });
  }
  // Bare sizes: the first is memory, a later one (a few GiB or more) is disk.
  for (const u of unqualified) {
    if (u.mib <= 0) invalid(q.memoryMiB === undefined ? 'resources.memoryMiB' : 'resources.diskGiB', q.memoryMiB === undefined ? 'memory' : 'disk size');
    else if (q.memoryMiB === undefined) q.memoryMiB = Math.round(u.mib);
    else if (q.diskGiB === undefined && u.mib >= 4096) q.diskGiB = Math.ceil(u.mib / 1024);
  }

  for (const m of text.matchAll(CPU)) {
    const value = m[2] ? CORE_WORDS[m[2]] : parseNumber(m[1] ?? m[3] ?? '');
    if (value === undefined) continue;
    q.spans.push([m.index, m.index + m[0].length]);
    if (value <= 0) invalid('resources.cpu', 'the CPU count');
    else q.cpu ??= value;
  }

  if (!NO_GPU.test(text)) {
    for (const m of text.matchAll(GPU)) {
      const value = m[1] ? parseNumber(m[1]) : 1;
      if (value === undefined) continue;
      q.spans.push([m.index, m.index + m[0].length]);
      if (value <= 0) continue; // "0 GPUs" asks for nothing
      q.gpu ??= Math.ceil(value);
    }
  } else {
    const m = NO_GPU.exec(text)!;
    q.spans.push([m.index, m.index + m[0].length]);
  }
  return q;
}

/** "1920x1080", "4k", "1080p", "full hd". */
export function extractResolution(text: string): { width: number; height: number; span: [number, number] } | undefined {
  const m = /\b(\d{3,4})\s*(?:[x*]|by)\s*(\d{3,4})\b/.exec(text) ?? /\b(\d{3,4})\s*(?:px|pixels)?\s+wide\s*(?:and|,|x|by)?\s*(\d{3,4})\s*(?:px|pixels)?\s+(?:tall|high)\b/.exec(text);
  if (m?.[1] && m[2]) return { width: parseInt(m[1], 10), height: parseInt(m[2], 10), span: [m.index, m.index + m[0].length] };
  const named: [RegExp, number, number][] = [
    [/\b(?:4k|uhd|2160p|ultra hd)\b/, 3840, 2160],
    [/\b(?:1440p|qhd|2k|wqhd)\b/, 2560, 1440],
    [/\b(?:1080p|full\s*hd|fhd)\b/, 1920, 1080],
    [/\b(?:720p|hd ready)\b/, 1280, 720],
  ];
  for (const [re, width, height] of named) {
    const n = re.exec(text);
    if (n) return { width, height, span: [n.index, n.index + n[0].length] };
  }
  return undefined;
}

/** A size said without a number ("a few cores", "lots of memory"): a stated guess, never a silent default. */
export interface VagueQuantity<T> {
  value: T;
  said: string;
  span: [number, number];
}

const VAGUE_CPU = /\b(a\s+few|a\s+couple(?:\s+of)?|some|several|many|lots\s+of|plenty\s+of|a\s+lot\s+of|more|extra|multiple|loads\s+of)\s+(?:more\s+)?(?:cpu\s+)?(?:cores|cpus|vcpus|processors)\b/;
const VAGUE_MEMORY = /\b(?:a\s+bit\s+(?:more|of\s+extra)|lots\s+of|plenty\s+of|a\s+lot\s+of|loads\s+of|tons\s+of|more|extra|enough|generous)\s+(?:\w+\s+)?(?:memory|ram)\b|\ba\s+couple\s+(?:of\s+)?gigs?(?:\s+of\s+(?:ram|memory))?\b/;
const VAGUE_DISK = /\b(?:lots\s+of|plenty\s+of|a\s+lot\s+of|loads\s+of|tons\s+of|more|extra|a\s+big|a\s+large|generous)\s+(?:disk(?:\s+space)?|storage|space|drive)\b/;

/** Vague sizes: "a few"/"some" cores are 2, "several"/"lots of" cores 4; "lots of memory" 4 GiB; "lots of disk" 20 GiB. */
export function extractVagueQuantities(text: string): { cpu?: VagueQuantity<number>; memoryMiB?: VagueQuantity<number>; diskGiB?: VagueQuantity<number> } {
  const found = <T>(m: RegExpExecArray | null, value: (m: RegExpExecArray) => T): VagueQuantity<T> | undefined =>
    m ? { value: value(m), said: m[0], span: [m.index, m.index + m[0].length] } : undefined;
  return {
    cpu: found(VAGUE_CPU.exec(text), (m) => (/^(?:several|many|lots|plenty|a\s+lot|loads)/.test(m[1] ?? '') ? 4 : 2)),
    memoryMiB: found(VAGUE_MEMORY.exec(text), (m) => (/couple/.test(m[0]) ? 2048 : 4096)),
    diskGiB: found(VAGUE_DISK.exec(text), () => 20),
  };
}
