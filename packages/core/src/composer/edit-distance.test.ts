import { describe, expect, it } from 'vitest';
import { editDistance, editDistanceAtMost } from './catalog-index';

/** The textbook matrix form of optimal string alignment, to check the rolling-row one against. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

describe('edit distance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps', () => {
    expect([editDistance('vlcc', 'vlc'), editDistance('krtia', 'krita'), editDistance('gimp', 'gimp'), editDistance('', 'abc'), editDistance('inkscape', 'inksacpe')]).toEqual([1, 1, 0, 3, 1]);
  });

  it('agrees with the matrix form on random words, bounded or not, and a long word after short ones', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const word = () => Array.from({ length: rand(9) }, () => 'abcde'[rand(5)]).join('');
    for (let k = 0; k < 3000; k++) {
      const [a, b] = [word(), word()];
      const d = reference(a, b);
      expect(editDistance(a, b), `${a} ${b}`).toBe(d);
      for (const max of [0, 1, 2, 3]) expect(editDistanceAtMost(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(d, max + 1));
    }
    const long = 'x'.repeat(100);
    expect(editDistance(long, `${long}y`)).toBe(1);
  });
});
