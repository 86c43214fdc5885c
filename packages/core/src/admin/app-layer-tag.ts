import { createHash } from 'node:crypto';

/** The app layer's tag for a package set; the same rule as the worker's build (apps/worker/src/images/build-app-layer.ts). */
export function appLayerTagFor(packages: string[]): string {
  const normalized = [...new Set(packages)].sort();
  return `genos/desktop-apps:${createHash('sha256').update(normalized.join('\n')).digest('hex').slice(0, 16)}`;
}
