/**
 * Reconcile runs every 30 s: a repair that keeps failing the same way must be
 * said once, not every run forever. Remembers the last error per resource;
 * `fresh` keeps only errors that differ from what that resource reported last
 * time, and a resource that stopped failing is forgotten (so a later failure
 * is told again).
 */
export class RepeatedErrors {
  private last = new Map<string, string>();

  fresh<T extends { environmentId: string | null; step: string; error: string }>(errors: T[]): T[] {
    const now = new Map(errors.map((e) => [`${e.environmentId ?? '-'}|${e.step}`, e.error]));
    const out = errors.filter((e) => this.last.get(`${e.environmentId ?? '-'}|${e.step}`) !== e.error);
    this.last = now;
    return out;
  }

  /** Resources failing right now, for a status report. */
  get failing(): number {
    return this.last.size;
  }
}
