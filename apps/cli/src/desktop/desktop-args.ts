import { UsageError } from './api-errors';
import type { MouseButton, Rect } from './control-api';

/**
 * A small parser of its own rather than node's parseArgs: `scroll ID X Y -3`
 * needs a negative number as a positional, which parseArgs takes for an option.
 */
const VALUE_FLAGS = ['out', 'region', 'scale', 'timeout', 'since', 'button', 'set', 'limit', 'name', 'focus', 'close'] as const;
const BOOLEAN_FLAGS = ['double', 'json', 'help'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];
export type DesktopFlags = Partial<Record<ValueFlag, string>> & Partial<Record<BooleanFlag, boolean>>;

export function splitArgs(argv: readonly string[]): { positionals: string[]; flags: DesktopFlags } {
  const positionals: string[] = [];
  const flags: DesktopFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    // Anything else not starting with -- is a positional: "-3", and text to type such as "-n".
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name as BooleanFlag] = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name as ValueFlag] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

export function int(value: string | undefined, what: string): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${what} must be a whole number, got ${value === undefined ? 'nothing' : `'${value}'`}`);
  return n;
}

export function region(value: string | undefined): Rect | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  if (parts.length !== 4) throw new UsageError(`--region is x,y,width,height, got '${value}'`);
  const [x, y, width, height] = parts.map((p, i) => int(p, ['x', 'y', 'width', 'height'][i]!));
  return { x: x!, y: y!, width: width!, height: height! };
}

export function scale(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  // The router accepts 0.05..1; said here too so a typo never reaches the desktop.
  if (!Number.isFinite(n) || n < 0.05 || n > 1) throw new UsageError(`--scale is between 0.05 and 1, got '${value}'`);
  return n;
}

export function button(value: string | undefined): MouseButton {
  if (value === undefined) return 'left';
  if (value === 'left' || value === 'middle' || value === 'right') return value;
  throw new UsageError(`--button is left, middle or right, got '${value}'`);
}
