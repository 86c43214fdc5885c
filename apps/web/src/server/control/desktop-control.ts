import { ControlPacer, DEFAULT_CONTROL_RATE, type DesktopControlPort } from '@genos/core';
import { resolveGuacdHop, type GuacdHop } from '@genos/db/remote-hops';
import { env } from '../../env';
import { createDesktopEngine } from './engine';

/**
 * Process-wide: one engine (it keeps one guacd connection per desktop being
 * controlled) and one pacer (control actions are paced per desktop in this
 * process). Kept on globalThis like services(): the custom server and Next's
 * route handlers are bundled apart, and Next's dev reloads would otherwise
 * open a second set of connections.
 */
interface DesktopControl {
  engine: DesktopControlPort;
  pacer: ControlPacer;
}
const g = globalThis as unknown as { __genosDesktopControl?: DesktopControl };

/**
 * Builds them on the guacd hop the web server resolved for its tunnel
 * (server.ts calls this at start), so control input takes the same path as a
 * person's.
 */
export function installDesktopControl(guacd: GuacdHop): DesktopControl {
  g.__genosDesktopControl?.engine.closeAll();
  return (g.__genosDesktopControl = { engine: createDesktopEngine({ guacd }), pacer: new ControlPacer(DEFAULT_CONTROL_RATE) });
}

/** The engine and pacer; resolved here only when the server did not install them (a script importing the API). */
export function desktopControl(): DesktopControl {
  return g.__genosDesktopControl ?? installDesktopControl(resolveGuacdHop(env()));
}

/** Closes every engine connection (the web process is stopping). */
export function closeDesktopControl(): void {
  g.__genosDesktopControl?.engine.closeAll();
  delete g.__genosDesktopControl;
}
