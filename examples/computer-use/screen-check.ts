/**
 * Checks a terminal's output from screenshots, with no OCR: the line the
 * command printed is compared, pixel for pixel, with the same terminal
 * printing the expected text itself (a reference) and a wrong text (a
 * control that must differ). Same font, same place, so equal pixels mean
 * equal text. With `tesseract` on PATH the screenshot is also read as text.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { xtermDesktopSpec } from '../genos-api';

export type Image = { width: number; height: number; data: Buffer };
export const decodePng = (base64: string): Image => PNG.sync.read(Buffer.from(base64, 'base64'));

/** The first band of consecutive rows where two same-size screenshots differ: the line that changed. */
export function firstChangedBand(a: Image, b: Image): { y0: number; y1: number } | null {
  if (a.width !== b.width || a.height !== b.height) throw new Error('screenshots of different sizes');
  const rowBytes = a.width * 4;
  let y0 = -1;
  for (let y = 0; y < a.height; y++) {
    const differs = !a.data.subarray(y * rowBytes, (y + 1) * rowBytes).equals(b.data.subarray(y * rowBytes, (y + 1) * rowBytes));
    if (differs && y0 < 0) y0 = y;
    if (!differs && y0 >= 0) return { y0, y1: y };
  }
  return y0 < 0 ? null : { y0, y1: a.height };
}

export function bandsEqual(a: Image, b: Image, band: { y0: number; y1: number }): boolean {
  const rowBytes = a.width * 4;
  return a.data.subarray(band.y0 * rowBytes, band.y1 * rowBytes).equals(b.data.subarray(band.y0 * rowBytes, band.y1 * rowBytes));
}

/** The screenshot's text through tesseract, or null when it is not installed (apt-get install tesseract-ocr). */
export function ocr(base64: string): string | null {
  try {
    execFileSync('tesseract', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'genos-ocr-'));
  try {
    const file = path.join(dir, 'screen.png');
    writeFileSync(file, Buffer.from(base64, 'base64'));
    // --psm 6: one uniform block of text, what a terminal is.
    return execFileSync('tesseract', [file, 'stdout', '--psm', '6'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The desktop the examples use: a container with xterm at 1280x800. */
export const XTERM_DESKTOP_SPEC = xtermDesktopSpec('computer-use-demo');

/**
 * Where the examples click and what they type. desktop-base starts xterm at
 * +40+40, 100x30 characters (about 920x540 px): a right click at 1100,700 lands
 * on the desktop's background and opens openbox's root menu (apps, "Terminal",
 * "Windows"); "t" is Terminal's shortcut (openbox: an item's first letter), and
 * the new xterm opens at +40+40 with the focus.
 */
export const BACKGROUND = { x: 1100, y: 700 };
export const MENU_TERMINAL_KEY = 't';
// `clear` first, so the output is the terminal's first line whatever was there.
export const COMMAND = 'clear; echo genos-$((6*7))\n';
export const REFERENCE = 'clear; echo genos-42\n';
export const WRONG = 'clear; echo genos-41\n';
export const EXPECTED_TEXT = 'genos-42';
