import { z } from 'zod';
import { AppError, type DesktopWindow } from '@genos/core';

/**
 * What genos-agent answers (docker/desktop-base/genos-agent), checked as
 * untrusted input: the desktop runs whatever its user and apps run, so its
 * agent may answer anything. Every string and list is bounded, numbers are
 * integers in X's range, and nothing it says reaches the caller unchecked.
 */

/** Titles are cut by the agent at 512 characters; 4096 leaves room for escapes and still bounds a hostile one. */
const MAX_TITLE = 4096;
/** The agent lists at most 256 windows. */
const MAX_WINDOWS = 256;
/** X coordinates and sizes are 16-bit. */
const coordinate = z.number().int().min(-65_536).max(65_536);
const size = z.number().int().min(0).max(65_536);

const windowSchema = z
  .object({
    id: z.string().regex(/^0x[0-9a-f]{1,8}$/, 'not an X window id'),
    title: z.string().max(MAX_TITLE),
    x: coordinate,
    y: coordinate,
    width: size,
    height: size,
    focused: z.boolean(),
  })
  // Fields a newer agent adds are dropped, not refused.
  .strip();

const failureSchema = z.object({ error: z.string().max(1000), code: z.enum(['bad_request', 'not_found', 'unavailable']).catch('unavailable') });
const windowsSchema = z.object({ windows: z.array(windowSchema).max(MAX_WINDOWS) });
const focusSchema = z.object({ ok: z.literal(true), focused: z.boolean() });
const closeSchema = z.object({ ok: z.literal(true), closed: z.boolean() });

/** Text from the desktop as it may appear in our message: one line, printable, short. */
const quoted = (s: string) => s.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim().slice(0, 200);

const unreadable = (what: string) => new AppError('UNAVAILABLE', `the desktop's agent gave an answer that is not ${what}`);

/** Parses one answer line; an error answer becomes the AppError it stands for. */
function parse<T>(line: string, schema: z.ZodType<T>, what: string, windowId?: string): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw unreadable('JSON');
  }
  const failed = failureSchema.safeParse(json);
  if (failed.success) {
    if (failed.data.code === 'not_found') throw new AppError('NOT_FOUND', `there is no window ${windowId ?? 'of that id'} on this desktop (it may have closed)`);
    throw new AppError('UNAVAILABLE', `the desktop's agent could not answer: ${quoted(failed.data.error) || 'no reason given'}`);
  }
  const ok = schema.safeParse(json);
  if (!ok.success) throw unreadable(what);
  return ok.data;
}

export const parseWindows = (line: string): DesktopWindow[] => parse(line, windowsSchema, 'a window list').windows;
export const parseFocus = (line: string, windowId: string): { focused: boolean } => ({ focused: parse(line, focusSchema, 'about focus', windowId).focused });
export const parseClose = (line: string, windowId: string): { closed: boolean } => ({ closed: parse(line, closeSchema, 'about closing', windowId).closed });
