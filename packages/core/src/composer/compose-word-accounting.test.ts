// Issue 15: every part of a request is used, stated as an assumption naming its words, or reported back.
import { describe, expect, it } from 'vitest';
import { FULL_CAPABILITIES } from '../spec/deployment-capabilities';
import { composeEnvironment } from './compose-environment';

const now = new Date(2026, 2, 4, 9, 0, 0);
const compose = (request: string) => composeEnvironment({ request, capabilities: FULL_CAPABILITIES, now });

describe('word accounting', () => {
  it('never answers ok with a word it could not read', () => {
    const r = compose('gimp and krita, xyzzy mode on');
    expect(r.status).toBe('needs_clarification');
    expect(r.unread).toEqual(['xyzzy']);
    expect(r.questions[0]).toMatch(/I did not understand "xyzzy"/);
  });

  it('passes over ordinary words, typos of them and politeness', () => {
    const r = compose('Hi! Could you pls set me up with audacity? Cheers, thx');
    expect(r.status).toBe('ok');
    expect(r.unread).toBeUndefined();
  });

  it('reports an OS or release it does not offer instead of building Debian', () => {
    for (const [request, said] of [['Fedora 40 with GNOME and firefox', 'Fedora'], ['debian sid box with vim', 'sid'], ['an Alpine-based container with vim', 'Alpine']] as const) {
      const r = compose(request);
      expect(r.status, request).toBe('unsatisfiable');
      expect(r.problems.map((p) => p.message).join(' '), request).toContain(said);
    }
  });

  it('states a microVM as a full VM and vague sizes as guesses, naming the words', () => {
    const vm = compose('a microVM running vim');
    expect(vm.spec?.runtime).toBe('vm');
    expect(vm.assumptions.join(' ')).toMatch(/"microvm": microVMs are not offered/);
    const sized = compose('blender, plenty of RAM and a few cores');
    expect(sized.spec?.resources).toMatchObject({ memoryMiB: 4096, cpu: 2 });
    expect(sized.assumptions.join(' ')).toMatch(/"plenty of ram"/);
    expect(sized.assumptions.join(' ')).toMatch(/"a few cores"/);
  });

  it('marks defaults as defaults', () => {
    const r = compose('a desktop with vlc');
    expect(r.defaults).toContain('Operating system: Debian 12 (default).');
    expect(r.defaults?.every((d) => d.endsWith('(default).'))).toBe(true);
    expect(r.assumptions).toEqual(expect.arrayContaining(r.defaults!));
  });

  it('reports an English word used as an app name in a list instead of dropping it', () => {
    const r = compose('with Signal and Thunderbird');
    expect(r.status).toBe('unsatisfiable');
    expect(r.problems.map((p) => p.message).join(' ')).toContain('"signal" is not in this deployment');
  });
});
