import { createHash } from 'node:crypto';
import type { EnvironmentSpec } from './environment-spec';

/** Canonical JSON: object keys sorted at every level, so equal specs hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * What makes two requests interchangeable for a warm pool: the whole spec
 * except its display name (app order matters: it is the launch order).
 */
export function specKey(spec: EnvironmentSpec): string {
  const { name: _name, ...rest } = spec;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}
