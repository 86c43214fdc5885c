/** X11 keysyms the on-screen keyboard and quick actions send (Guacamole carries keysyms, not key codes). */
export const KEYSYM = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Shift_L: 0xffe1,
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
} as const;

/** Latin-1 characters are their own keysyms; anything else uses the Unicode keysym range. */
export function keysymForChar(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0x20;
  if (ch === '\n') return KEYSYM.Return;
  if (ch === '\t') return KEYSYM.Tab;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x01000000 | cp;
}
