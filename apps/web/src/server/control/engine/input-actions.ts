import { AppError, textToKeysyms } from '@genos/core';
import type { DesktopConnection } from './desktop-connection';
import type { KeyboardAction, MouseAction, MouseButton } from './types';

/**
 * Mouse and keyboard actions as the Guacamole `mouse` and `key` instructions
 * a browser would send for the same gestures.
 */

/** Guacamole's button mask bits (X buttons 1-5). */
const BUTTON: Record<MouseButton, number> = { left: 1, middle: 2, right: 4 };
const SCROLL_UP = 8;
const SCROLL_DOWN = 16;
/** Pointer steps of a drag: toolkits start a drag only after motion with the button held. */
const DRAG_STEPS = 10;
const DRAG_STEP_MS = 15;
/**
 * A click that focuses a window takes effect when the window manager has
 * seen it and set the focus: keys that reach X before then go to the old
 * focus (the first character typed after "click into the terminal" was
 * lost). A person never types within this long of a click; a program waits.
 */
const FOCUS_SETTLE_MS = 100;
/** Most notches one scroll may turn (the router bounds it too; this keeps the engine safe alone). */
const MAX_NOTCHES = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onScreen(conn: DesktopConnection, x: number, y: number) {
  const { width, height } = conn.framebuffer.screen;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= width || y >= height) {
    throw new AppError('VALIDATION', `(${x}, ${y}) is off the ${width}x${height} screen`);
  }
}

/** Performs a mouse action; resolves with where the pointer ends, once the instructions are on their way to guacd. */
export async function performMouse(conn: DesktopConnection, a: MouseAction): Promise<{ x: number; y: number }> {
  onScreen(conn, a.x, a.y);
  if (a.action === 'drag') onScreen(conn, a.toX, a.toY);
  const at = (x: number, y: number, mask: number) => conn.mouse(x, y, mask);
  switch (a.action) {
    case 'move':
      at(a.x, a.y, conn.buttons);
      break;
    case 'down':
      at(a.x, a.y, conn.buttons);
      conn.buttons |= BUTTON[a.button];
      at(a.x, a.y, conn.buttons);
      break;
    case 'up':
      at(a.x, a.y, conn.buttons);
      conn.buttons &= ~BUTTON[a.button];
      at(a.x, a.y, conn.buttons);
      break;
    case 'click':
    case 'doubleClick':
      at(a.x, a.y, conn.buttons);
      for (let i = 0; i < (a.action === 'click' ? 1 : 2); i++) {
        at(a.x, a.y, conn.buttons | BUTTON[a.button]);
        at(a.x, a.y, conn.buttons & ~BUTTON[a.button]);
      }
      break;
    case 'drag': {
      const bit = BUTTON[a.button];
      at(a.x, a.y, conn.buttons);
      at(a.x, a.y, conn.buttons | bit);
      await conn.flush();
      for (let i = 1; i <= DRAG_STEPS; i++) {
        await sleep(DRAG_STEP_MS);
        at(Math.round(a.x + ((a.toX - a.x) * i) / DRAG_STEPS), Math.round(a.y + ((a.toY - a.y) * i) / DRAG_STEPS), conn.buttons | bit);
      }
      at(a.toX, a.toY, conn.buttons & ~bit);
      break;
    }
    case 'scroll': {
      if (!Number.isInteger(a.dy) || Math.abs(a.dy) > MAX_NOTCHES) throw new AppError('VALIDATION', `scroll by a whole number of notches up to ${MAX_NOTCHES}, not ${a.dy}`);
      at(a.x, a.y, conn.buttons);
      // A wheel notch is a press and release of button 4 (up) or 5 (down).
      const bit = a.dy > 0 ? SCROLL_DOWN : SCROLL_UP;
      for (let i = 0; i < Math.abs(a.dy); i++) {
        at(a.x, a.y, conn.buttons | bit);
        at(a.x, a.y, conn.buttons);
      }
      break;
    }
  }
  await conn.flush();
  return conn.cursor();
}

/**
 * Types `text` (one press and release per character, the desktop's layout
 * deciding which keys that takes), then presses each chord. Resolves with
 * how many keystrokes were sent: characters plus chords.
 */
export async function performKeyboard(conn: DesktopConnection, a: KeyboardAction): Promise<{ sent: number }> {
  const settle = conn.lastButtonAt + FOCUS_SETTLE_MS - performance.now();
  if (settle > 0) await sleep(settle);
  let sent = 0;
  for (const keysym of textToKeysyms(a.text ?? '')) {
    conn.key(keysym, true);
    conn.key(keysym, false);
    sent++;
  }
  for (const chord of a.keysyms ?? []) {
    for (const k of chord) conn.key(k, true);
    for (const k of [...chord].reverse()) conn.key(k, false);
    sent++;
  }
  await conn.flush();
  return { sent };
}
