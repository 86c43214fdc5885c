import { describe, expect, it } from 'vitest';
import { nearByHalves, nearBySpelling } from './find-unread';
import { VOCABULARY } from './vocabulary';

describe('one typing slip from an ordinary word', () => {
  it('gives the same answer by halves as by trying every spelling, for slips of real words and for made-up ones', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const long = [...VOCABULARY].filter((w) => /^[a-z]{7,14}$/.test(w));
    const slip = (w: string) => {
      const i = rand(w.length);
      const c = 'abcdefghijklmnopqrstuvwxyz'[rand(26)]!;
      return [w.slice(0, i) + c + w.slice(i), w.slice(0, i) + w.slice(i + 1), w.slice(0, i) + c + w.slice(i + 1), w.slice(0, i) + (w[i + 1] ?? '') + w[i] + w.slice(i + 2)][rand(4)]!;
    };
    const words = [
      ...Array.from({ length: 400 }, () => slip(long[rand(long.length)]!)),
      ...Array.from({ length: 200 }, () => slip(slip(long[rand(long.length)]!))),
      'scarabocchiuz', 'glorptastic', 'cachivachez', 'flibberwonk', 'programmm', 'desktopp', 'wireshar',
    ].filter((w) => /^[a-z]{7,}$/.test(w));
    let near = 0;
    for (const w of words) {
      const expected = nearBySpelling(w);
      if (expected) near++;
      expect(nearByHalves(w), w).toBe(expected);
    }
    // Both kinds occur, so the comparison means something.
    expect(near).toBeGreaterThan(100);
    expect(words.length - near).toBeGreaterThan(50);
  });
});
