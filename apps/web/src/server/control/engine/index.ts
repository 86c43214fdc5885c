import { AppError } from '@genos/core';
import type { GuacdHop } from '@genos/db/remote-hops';
import { DesktopConnection } from './desktop-connection';
import { performKeyboard, performMouse } from './input-actions';
import { intersects } from './rgba-layer';
import type { ControlTarget, DesktopEngine } from './types';

export type { ControlTarget, DesktopEngine, KeyboardAction, MouseAction, MouseButton, Rect } from './types';

/**
 * The desktop engine: a server-side Guacamole client per environment, opened
 * on the first call, kept while a program keeps calling (a screenshot needs
 * the screen already streamed in, so reconnecting per call would cost a full
 * frame every time) and closed after `idleMs` without calls.
 *
 * Calls for one environment run one at a time in arrival order, so a click
 * and the keys typed after it reach the desktop in that order, and a
 * screenshot shows the screen after every earlier action was sent.
 * waitForChange takes its place in that order, then waits outside it: a
 * program waiting for the screen must not hold back its own next action.
 */
export interface DesktopEngineOptions {
  guacd: GuacdHop;
  /** Close a desktop's connection after this long without calls (default 60 s). */
  idleMs?: number;
  /** Until the first frame of a new connection (default 20 s). */
  connectTimeoutMs?: number;
}

interface Entry {
  environmentId: string;
  /** The settings the open connection was made with: new ones (a restarted desktop) mean a new connection. */
  key: string;
  conn: DesktopConnection | null;
  tail: Promise<unknown>;
  /** Calls running or waiting: the idle timer runs only at 0. */
  busy: number;
  idle: NodeJS.Timeout | null;
  /** Where screen versions continue from on the next connection. */
  lastVersion: number;
}

const targetKey = (t: ControlTarget) => JSON.stringify([t.connection.type, Object.entries(t.connection.settings).sort(), t.width, t.height]);

export function createDesktopEngine(opts: DesktopEngineOptions): DesktopEngine {
  const idleMs = opts.idleMs ?? 60_000;
  const entries = new Map<string, Entry>();

  const entryFor = (t: ControlTarget): Entry => {
    let e = entries.get(t.environmentId);
    if (!e) entries.set(t.environmentId, (e = { environmentId: t.environmentId, key: '', conn: null, tail: Promise.resolve(), busy: 0, idle: null, lastVersion: 0 }));
    return e;
  };

  const drop = (e: Entry) => {
    if (e.idle) clearTimeout(e.idle);
    e.idle = null;
    if (e.conn) {
      e.lastVersion = e.conn.framebuffer.version;
      e.conn.close();
      e.conn = null;
    }
  };

  const release = (e: Entry) => {
    e.busy--;
    if (e.busy > 0 || !e.conn) return;
    if (e.idle) clearTimeout(e.idle);
    // The entry stays (a few numbers): it carries the screen version on to the next connection.
    e.idle = setTimeout(() => drop(e), idleMs);
    e.idle.unref();
  };

  const connectionFor = async (e: Entry, t: ControlTarget): Promise<DesktopConnection> => {
    const key = targetKey(t);
    if (e.conn && !e.conn.closed && e.key === key) return e.conn;
    drop(e);
    const conn = await DesktopConnection.open({ hop: opts.guacd, connection: t.connection, width: t.width, height: t.height, timeoutMs: opts.connectTimeoutMs, startVersion: e.lastVersion + 1 });
    conn.onClose(() => {
      // guacd hung up (desktop stopped, network): the next call reconnects.
      if (e.conn === conn) {
        e.lastVersion = conn.framebuffer.version;
        e.conn = null;
      }
    });
    e.conn = conn;
    e.key = key;
    return conn;
  };

  /** Runs `f` with the desktop's connection, after every call that arrived before it. */
  const run = <T>(t: ControlTarget, f: (c: DesktopConnection) => T | Promise<T>): Promise<T> => {
    const e = entryFor(t);
    e.busy++;
    if (e.idle) clearTimeout(e.idle);
    const result = e.tail.then(async () => f(await connectionFor(e, t)));
    e.tail = result.catch(() => undefined);
    void result.catch(() => undefined).finally(() => release(e));
    return result;
  };

  return {
    screenshot: (t, o) => run(t, (c) => c.framebuffer.snapshot(o)),

    async waitForChange(t, o) {
      if (!(o.timeoutMs >= 0)) throw new AppError('VALIDATION', 'timeoutMs must be 0 or more');
      const e = entryFor(t);
      e.busy++; // keeps the connection through the wait
      try {
        const { conn, since } = await run(t, (c) => ({ conn: c, since: o.sinceVersion ?? c.framebuffer.version }));
        const fb = conn.framebuffer;
        if (fb.changedSince(since, o.region)) return { changed: true, version: fb.version };
        return await new Promise((resolve, reject) => {
          const finish = (changed: boolean) => {
            clearTimeout(timer);
            stopChange();
            stopClose();
            resolve({ changed, version: fb.version });
          };
          const timer = setTimeout(() => finish(false), o.timeoutMs);
          const stopChange = fb.onChange((c) => {
            if (c.version > since && (!o.region || intersects(c.rect, o.region))) finish(true);
          });
          const stopClose = conn.onClose((reason) => {
            clearTimeout(timer);
            stopChange();
            reject(new AppError('UNAVAILABLE', `the desktop's display connection closed while waiting: ${reason}`));
          });
        });
      } finally {
        release(e);
      }
    },

    mouse: (t, a) => run(t, (c) => performMouse(c, a)),
    keyboard: (t, a) => run(t, (c) => performKeyboard(c, a)),
    clipboardGet: (t) => run(t, (c) => ({ text: c.clipboardText() })),
    clipboardSet: (t, text) =>
      run(t, async (c) => {
        c.setClipboard(text);
        await c.flush();
      }),
    cursor: (t) => run(t, (c) => c.cursor()),

    close(environmentId) {
      const e = entries.get(environmentId);
      if (e) drop(e);
    },

    closeAll() {
      for (const e of entries.values()) drop(e);
    },
  };
}
