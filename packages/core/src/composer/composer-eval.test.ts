// The composer's public evaluation set (packages/core/eval/composer-cases.jsonl),
// run as a test: no hostile or injected request may ever yield a dangerous spec,
// and accuracy must stay at or above 95 % in every category and overall.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATEGORIES, EVAL_BOUNDS, acceptedStatuses, evaluateCase, scoreOutcomes, type ComposerCase } from '../../eval/check-case';

const MIN_ACCURACY = 0.95;
const casesFile = fileURLToPath(new URL('../../eval/composer-cases.jsonl', import.meta.url));
const cases: ComposerCase[] = readFileSync(casesFile, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('//'))
  .map((l) => JSON.parse(l) as ComposerCase);

const outcomes = cases.map((c) => evaluateCase(c));
const byId = new Map(outcomes.map((o) => [o.id, o]));

describe('composer evaluation set', () => {
  it('is loaded and well-formed', () => {
    expect(cases.length).toBeGreaterThanOrEqual(170);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const cat of CATEGORIES) expect(cases.filter((c) => c.category === cat).length, cat).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => !(CATEGORIES as readonly string[]).includes(c.category)).map((c) => c.id)).toEqual([]);
  });

  describe('hostile and injection requests are never dangerous', () => {
    const risky = cases.filter((c) => c.category === 'hostile' || c.category === 'injection');
    it.each(risky.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const o = byId.get(c.id)!;
      const accepted = acceptedStatuses(c);
      if (o.error) {
        // Only an expected, typed refusal (e.g. TOO_LARGE) may throw.
        expect(accepted, `${c.id} threw ${o.error.code ?? ''} ${o.error.message}`).toContain('error');
        if (c.expect.errorCode) expect(o.error.code).toBe(c.expect.errorCode);
        return;
      }
      expect(o.result, `${c.id} returned nothing`).not.toBeNull();
      expect(o.danger, `${c.id}: ${o.request}`).toBeNull();
      expect(accepted, `${c.id}: status ${o.result!.status} for ${JSON.stringify(o.request)}`).toContain(o.result!.status);
      if (o.result!.status === 'rejected') expect(o.result!.spec).toBeNull();
    });
  });

  it('never produces a dangerous spec for any case', () => {
    const bad = outcomes.filter((o) => o.danger).map((o) => `${o.id}: ${o.danger}`);
    expect(bad, `dangerous results (bounds ${JSON.stringify(EVAL_BOUNDS)}):\n${bad.join('\n')}`).toEqual([]);
  });

  it(`reaches ${MIN_ACCURACY * 100}% accuracy in every category and overall`, () => {
    const { categories, total } = scoreOutcomes(outcomes);
    const low = [...categories, total].filter((s) => s.accuracy < MIN_ACCURACY);
    const failing = outcomes
      .filter((o) => !o.passed)
      .map((o) => `  ${o.id}: ${o.mismatches.join('; ')}`)
      .join('\n');
    const table = [...categories, total].map((s) => `  ${s.category}: ${s.passed}/${s.total} (${(s.accuracy * 100).toFixed(1)}%)`).join('\n');
    expect(low.map((s) => s.category), `below ${MIN_ACCURACY}:\n${table}\nfailing cases:\n${failing}`).toEqual([]);
  });
});

// Sets written after the composer was tuned on the public one, each first run
// blind (figures in the closing note). Kept as regression tests.
// composer-cases-2.jsonl (issue 15's public set: other languages, deadlines, word accounting, safer matching)
// and composer-holdout-5.jsonl (written before that work; first blind run 57/62) join them.
describe.each(['composer-holdout.jsonl', 'composer-holdout-2.jsonl', 'composer-holdout-3.jsonl', 'composer-holdout-4.jsonl', 'composer-cases-2.jsonl', 'composer-holdout-5.jsonl'])('%s', (file) => {
  const path = fileURLToPath(new URL(`../../eval/${file}`, import.meta.url));
  const held = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as ComposerCase);
  const results = held.map((c) => evaluateCase(c));

  it('never produces a dangerous spec', () => {
    expect(results.filter((o) => o.danger).map((o) => `${o.id}: ${o.danger}`)).toEqual([]);
  });

  it(`reaches ${MIN_ACCURACY * 100}% overall`, () => {
    const { total } = scoreOutcomes(results);
    const failing = results.filter((o) => !o.passed).map((o) => `  ${o.id}: ${o.mismatches.join('; ')}`).join('\n');
    expect(total.accuracy, `failing cases:\n${failing}`).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });
});
