import { AppError } from '../errors/app-error';

/**
 * Key names and text as X keysyms, which is what the Guacamole protocol's
 * `key` instruction carries and what the desktop's VNC server (x11vnc -xkb)
 * or guacd's RDP keymap turns into key presses on the desktop's own layout:
 * a program sends "what to type", never scancodes, so the layout is respected.
 */

/** Keysyms of named keys, by lower-cased name (X names, plus the usual aliases). */
const NAMED: Record<string, number> = {
  // Modifiers: the left-hand key, as a person would press it.
  ctrl: 0xffe3, control: 0xffe3, control_l: 0xffe3, ctrl_l: 0xffe3, control_r: 0xffe4, ctrl_r: 0xffe4,
  alt: 0xffe9, alt_l: 0xffe9, alt_r: 0xffea, altgr: 0xfe03, iso_level3_shift: 0xfe03,
  shift: 0xffe1, shift_l: 0xffe1, shift_r: 0xffe2,
  super: 0xffeb, super_l: 0xffeb, super_r: 0xffec, win: 0xffeb, cmd: 0xffeb, meta: 0xffe7, meta_l: 0xffe7, meta_r: 0xffe8,
  caps_lock: 0xffe5, capslock: 0xffe5, num_lock: 0xff7f, numlock: 0xff7f, scroll_lock: 0xff14,
  // Editing and navigation.
  return: 0xff0d, enter: 0xff0d, tab: 0xff09, escape: 0xff1b, esc: 0xff1b, backspace: 0xff08,
  delete: 0xffff, del: 0xffff, insert: 0xff63, ins: 0xff63, home: 0xff50, end: 0xff57,
  page_up: 0xff55, pageup: 0xff55, pgup: 0xff55, prior: 0xff55, page_down: 0xff56, pagedown: 0xff56, pgdn: 0xff56, next: 0xff56,
  up: 0xff52, down: 0xff54, left: 0xff51, right: 0xff53,
  print: 0xff61, printscreen: 0xff61, pause: 0xff13, break: 0xff6b, menu: 0xff67, sys_req: 0xff15,
  kp_enter: 0xff8d,
  // Characters that cannot be written inside a key spec, or are awkward to.
  space: 0x20, plus: 0x2b, minus: 0x2d, equal: 0x3d, comma: 0x2c, period: 0x2e, slash: 0x2f, backslash: 0x5c,
  semicolon: 0x3b, colon: 0x3a, apostrophe: 0x27, quotedbl: 0x22, grave: 0x60, asciitilde: 0x7e,
  bracketleft: 0x5b, bracketright: 0x5d, braceleft: 0x7b, braceright: 0x7d, parenleft: 0x28, parenright: 0x29,
  less: 0x3c, greater: 0x3e, question: 0x3f, exclam: 0x21, at: 0x40, numbersign: 0x23, dollar: 0x24,
  percent: 0x25, asciicircum: 0x5e, ampersand: 0x26, asterisk: 0x2a, underscore: 0x5f, bar: 0x7c,
};
// F1..F24 are consecutive from 0xffbe.
for (let n = 1; n <= 24; n++) NAMED[`f${n}`] = 0xffbe + n - 1;

/** One character's keysym: Latin-1 is its own keysym, everything else is X's Unicode range. */
function charKeysym(cp: number): number {
  if (cp === 0x0a || cp === 0x0d) return 0xff0d; // Return
  if (cp === 0x09) return 0xff09; // Tab
  return cp <= 0xff ? cp : 0x01000000 + cp;
}

function keyNameToKeysym(name: string): number {
  const chars = Array.from(name);
  // A single character is itself, case kept: 'a' and 'A' are different X keysyms.
  if (chars.length === 1) return charKeysym(chars[0]!.codePointAt(0)!);
  const named = NAMED[name.toLowerCase()];
  if (named === undefined) throw new AppError('VALIDATION', `unknown key name '${name}'`);
  return named;
}

/**
 * Splits one chord at '+', where a '+' that starts the chord or follows a
 * separator is the plus key itself: "ctrl++" is ctrl and '+', "+" is '+'.
 */
function splitChord(chord: string): string[] {
  const names: string[] = [];
  let current = '';
  for (const ch of chord) {
    if (ch === '+' && current !== '') {
      names.push(current);
      current = '';
    } else current += ch;
  }
  if (current === '') throw new AppError('VALIDATION', `key chord '${chord}' ends with '+' and no key`);
  names.push(current);
  return names;
}

/**
 * "ctrl+alt+t Return" → [[Control_L, Alt_L, t], [Return]]: chords separated
 * by spaces, keys within a chord joined by '+', pressed in order and released
 * in reverse by whoever sends them.
 */
export function parseKeys(spec: string): number[][] {
  const chords = spec.split(/\s+/).filter((c) => c !== '');
  if (chords.length === 0) throw new AppError('VALIDATION', 'no keys given');
  return chords.map((chord) => splitChord(chord).map(keyNameToKeysym));
}

/**
 * Text as the keysyms that type it, one per character (a surrogate pair is one
 * character): '\n' (and '\r\n', '\r') is Return, '\t' is Tab.
 */
export function textToKeysyms(text: string): number[] {
  const out: number[] = [];
  const normalized = text.replace(/\r\n?/g, '\n');
  for (const ch of normalized) out.push(charKeysym(ch.codePointAt(0)!));
  return out;
}
