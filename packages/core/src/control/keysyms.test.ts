import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors/app-error';
import { parseKeys, textToKeysyms } from './keysyms';

describe('parseKeys', () => {
  it('reads chords with modifiers, in order', () => {
    expect(parseKeys('ctrl+alt+t Return')).toEqual([[0xffe3, 0xffe9, 0x74], [0xff0d]]);
    expect(parseKeys('shift+Tab super+e meta+x win+d')).toEqual([[0xffe1, 0xff09], [0xffeb, 0x65], [0xffe7, 0x78], [0xffeb, 0x64]]);
  });

  it('knows the named keys, case-insensitively, with their aliases', () => {
    expect(parseKeys('Enter return RETURN')).toEqual([[0xff0d], [0xff0d], [0xff0d]]);
    expect(parseKeys('Escape esc BackSpace Delete Home End Page_Up Page_Down')).toEqual([[0xff1b], [0xff1b], [0xff08], [0xffff], [0xff50], [0xff57], [0xff55], [0xff56]]);
    expect(parseKeys('Up Down Left Right space control+c')).toEqual([[0xff52], [0xff54], [0xff51], [0xff53], [0x20], [0xffe3, 0x63]]);
    expect(parseKeys('F1 f5 F12')).toEqual([[0xffbe], [0xffc2], [0xffc9]]);
  });

  it('keeps the case of single characters (X keysyms differ) and takes any character', () => {
    expect(parseKeys('a A 1 ; é €')).toEqual([[0x61], [0x41], [0x31], [0x3b], [0xe9], [0x010020ac]]);
  });

  it("reads '+' as the plus key where it cannot be a separator", () => {
    expect(parseKeys('ctrl++ + ctrl+plus')).toEqual([[0xffe3, 0x2b], [0x2b], [0xffe3, 0x2b]]);
  });

  it('tolerates extra whitespace between chords', () => {
    expect(parseKeys('  ctrl+c \t  ctrl+v ')).toEqual([[0xffe3, 0x63], [0xffe3, 0x76]]);
  });

  it('refuses unknown names, empty specs and dangling separators with a VALIDATION error', () => {
    const fails = (spec: string) => {
      try {
        parseKeys(spec);
      } catch (e) {
        return isAppError(e) && e.code === 'VALIDATION' ? e.message : `wrong error ${String(e)}`;
      }
      return 'no error';
    };
    expect(fails('ctrl+Foo')).toBe("unknown key name 'Foo'");
    expect(fails('F25')).toBe("unknown key name 'F25'");
    expect(fails('')).toBe('no keys given');
    expect(fails('   ')).toBe('no keys given');
    expect(fails('ctrl+')).toMatch(/ends with '\+'/);
  });
});

describe('textToKeysyms', () => {
  it('maps Latin-1 to itself and the rest to the Unicode keysym range', () => {
    expect(textToKeysyms('aZ~ ÿ')).toEqual([0x61, 0x5a, 0x7e, 0x20, 0xff]);
    expect(textToKeysyms('€ж')).toEqual([0x010020ac, 0x01000436]);
  });

  it('types newlines as Return and tabs as Tab', () => {
    expect(textToKeysyms('a\nb\tc')).toEqual([0x61, 0xff0d, 0x62, 0xff09, 0x63]);
    expect(textToKeysyms('x\r\ny\rz')).toEqual([0x78, 0xff0d, 0x79, 0xff0d, 0x7a]);
  });

  it('takes an astral character as one character', () => {
    expect(textToKeysyms('😀')).toEqual([0x01000000 + 0x1f600]);
  });

  it('returns nothing for empty text', () => {
    expect(textToKeysyms('')).toEqual([]);
  });
});
