import type { RuntimeDriver } from '../ports/runtime-driver';
import type { Actor, Store } from '../ports/store';
import type { EnvironmentSpec } from '../spec/environment-spec';
import { authorizeEnvironment, requireUser } from './authorize';

/**
 * How far a desktop's screen can follow the viewer's window. Xvfb cannot grow
 * past the size it started at, so container desktops start at this maximum
 * (or the spec's size, if larger) and shrink to the spec's size; keeping that
 * framebuffer costs ~12 MB. Below the minimum the picture is scaled instead:
 * desktop apps are unusable narrower than 640 pixels.
 */
export const DISPLAY_RESIZE_MAX = { width: 2560, height: 1600 } as const;
export const DISPLAY_RESIZE_MIN = { width: 640, height: 480 } as const;

/** Container desktops over VNC follow the window; VMs and RDP desktops are scaled. */
export const canResizeDisplay = (spec: Pick<EnvironmentSpec, 'runtime' | 'display'>): boolean => spec.runtime === 'container' && spec.display.protocol === 'vnc';

/** The size a desktop can take for a window of `width`×`height`: whole, even pixels within the bounds. */
export function fitDisplaySize(spec: Pick<EnvironmentSpec, 'display'>, width: number, height: number): { width: number; height: number } {
  const clamp = (v: number, min: number, max: number) => Math.max(min, Math.min(max, Math.floor(v / 2) * 2));
  return {
    width: clamp(width, DISPLAY_RESIZE_MIN.width, Math.max(DISPLAY_RESIZE_MAX.width, spec.display.width)),
    height: clamp(height, DISPLAY_RESIZE_MIN.height, Math.max(DISPLAY_RESIZE_MAX.height, spec.display.height)),
  };
}

/**
 * The viewer's window changed size: asks the host holding the desktop to
 * resize its screen (guacd 1.3 cannot pass a size on to a VNC desktop; x11vnc
 * and guacd follow the new screen by themselves). Only whoever may connect
 * (the owner) resizes; nothing is audited, as no state changes and a window
 * drag would flood the log. Returns the size asked for, or null when this
 * desktop cannot be resized (VMs, RDP) or is not running, and the picture
 * stays scaled.
 */
export async function resizeDisplay(opts: { store: Pick<Store, 'transaction'>; actor: Actor; id: string; width: number; height: number }): Promise<{ width: number; height: number } | null> {
  requireUser(opts.actor);
  if (!Number.isFinite(opts.width) || !Number.isFinite(opts.height)) return null;
  return opts.store.transaction(async (tx) => {
    const env = await authorizeEnvironment({ teams: tx.teams, actor: opts.actor, env: await tx.environments.lock(opts.id), id: opts.id, action: 'connect' });
    if (env.state !== 'running' || !env.host || !canResizeDisplay(env.spec)) return null;
    const size = fitDisplaySize(env.spec, opts.width, opts.height);
    await tx.jobs.enqueue('environment.resize-display', { environmentId: env.id, ...size }, { host: env.host });
    return size;
  });
}

/**
 * Worker side: resize the screen of a desktop that is still running (a job
 * for a desktop suspended or gone since is dropped; so is one whose driver
 * cannot resize).
 */
export async function performResizeDisplay(opts: { store: Pick<Store, 'environments'>; driver: RuntimeDriver; environmentId: string; width: number; height: number }): Promise<boolean> {
  const env = await opts.store.environments.findById(opts.environmentId);
  if (!env || env.state !== 'running' || !env.runtimeRef || !opts.driver.resizeDisplay || !canResizeDisplay(env.spec)) return false;
  const size = fitDisplaySize(env.spec, opts.width, opts.height);
  await opts.driver.resizeDisplay(env.runtimeRef, size);
  return true;
}
