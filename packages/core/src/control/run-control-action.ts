import { AppError } from '../errors/app-error';
import { auditRefusal, requireUser } from '../environments/authorize';
import type { EnvironmentRecord, Actor, Store } from '../ports/store';
import { tunnelSettingsFor } from '../streaming/connection-token';
import { acquireControlLease } from './acquire-control-lease';
import { authorizeControl } from './authorize-control';
import type { ControlPacer } from './control-pacer';
import { NO_AGENT_MESSAGE, WINDOW_ID_PATTERN, type AgentTarget, type DesktopAgentPort, type DesktopWindow } from './desktop-agent-port';
import type { ControlTarget, DesktopControlPort, MouseAction, Rect, TransferFolderPort } from './desktop-control-port';

/** One thing a program (or the owner, through the API) does to a desktop. */
export type ControlAction =
  | { kind: 'screenshot'; region?: Rect; scale?: number }
  | { kind: 'waitForChange'; sinceVersion?: number; timeoutMs: number; region?: Rect }
  | { kind: 'mouse'; mouse: MouseAction }
  /** keys: what the caller wrote ("ctrl+alt+t"), for the log; keysyms: the same parsed (core's parseKeys). */
  | { kind: 'keyboard'; keys?: string; keysyms?: number[][]; text?: string }
  | { kind: 'clipboardGet' }
  | { kind: 'clipboardSet'; text: string }
  | { kind: 'cursor' }
  | { kind: 'filesList' }
  | { kind: 'filesPut'; name: string; content: Buffer }
  | { kind: 'filesGet'; name: string }
  /** Through the desktop's agent (DesktopAgentPort): container desktops only. */
  | { kind: 'windows' }
  | { kind: 'focusWindow'; window: string }
  | { kind: 'closeWindow'; window: string };

export interface ControlResults {
  screenshot: { png: Buffer; width: number; height: number; version: number };
  waitForChange: { changed: boolean; version: number };
  mouse: { x: number; y: number };
  keyboard: { sent: number };
  clipboardGet: { text: string };
  clipboardSet: { ok: true };
  cursor: { x: number; y: number };
  filesList: { name: string; bytes: number; modifiedAt: string }[];
  filesPut: { name: string; bytes: number };
  filesGet: { name: string; content: Buffer };
  windows: DesktopWindow[];
  focusWindow: { focused: boolean };
  closeWindow: { closed: boolean };
}

export type ControlResult<A extends ControlAction> = ControlResults[A['kind']];

/** Text typed is logged up to this many characters (the rest is counted, not kept). */
export const LOGGED_TEXT_CHARS = 200;

export interface RunControlActionOptions<A extends ControlAction> {
  store: Store;
  actor: Actor;
  /** Set for a program (an API token): its call takes the control lease. Unset: the owner in person, through the API. */
  token: { id: string } | null;
  /** How the person is named in the log when `token` is unset. */
  personName?: string;
  id: string;
  action: A;
  engine: DesktopControlPort | undefined;
  files?: TransferFolderPort;
  /** The desktop's agent (windows); desktops without one answer UNSUPPORTED whatever is given here. */
  agent?: DesktopAgentPort;
  pacer: ControlPacer;
  now?: () => Date;
}

/**
 * Runs one control action: paced (THROTTLED beyond the rate; what is
 * accepted runs in order), for the owner of a running desktop, with the
 * lease taken or refused for programs, coordinates checked against the
 * screen, then the engine, then one line in the action log.
 */
export async function runControlAction<A extends ControlAction>(opts: RunControlActionOptions<A>): Promise<ControlResult<A>> {
  const userId = requireUser(opts.actor);
  const key = `${opts.id}:${userId}`;
  // Before any await: calls are admitted, and queued, in the order they were made.
  opts.pacer.admit(key);
  const a: ControlAction = opts.action;
  if (a.kind === 'waitForChange') {
    // Waiting may take 30 s; only its admission is queued, so it holds up nothing else.
    const admitted = await opts.pacer.run(key, () => admit(opts));
    const engine = needEngine(opts.engine);
    return (await engine.waitForChange(admitted.target, { sinceVersion: a.sinceVersion, timeoutMs: a.timeoutMs, region: a.region })) as ControlResult<A>;
  }
  return opts.pacer.run(key, async () => {
    const admitted = await admit(opts);
    const result = await perform(opts, admitted.target);
    await opts.store.controls.appendAction({
      environmentId: opts.id,
      at: (opts.now ?? (() => new Date()))(),
      actorKind: opts.token ? 'program' : 'person',
      actorName: admitted.actorName,
      tokenId: opts.token?.id ?? null,
      action: opts.action.kind,
      params: loggedParams(opts.action),
      screenshotRef: opts.action.kind === 'screenshot' ? `screen v${(result as ControlResults['screenshot']).version}` : null,
    });
    return result as ControlResult<A>;
  });
}

/** Who, which desktop, its state, the coordinates, then the lease: in that order, so a refused call takes no lease. */
async function admit(opts: RunControlActionOptions<ControlAction>): Promise<{ target: Target; actorName: string }> {
  const env = await auditRefusal({ store: opts.store, actor: opts.actor, action: 'control', targetType: 'environment', targetId: opts.id }, () => authorizeControl(opts));
  const target = targetOf(env);
  checkOnScreen(opts.action, target);
  // Before the lease too: a desktop that cannot answer is said to be so, and nothing is taken.
  if (needsAgent(opts.action) && !target.agentSocket) throw new AppError('UNSUPPORTED', NO_AGENT_MESSAGE);
  if ((opts.action.kind === 'focusWindow' || opts.action.kind === 'closeWindow') && !WINDOW_ID_PATTERN.test(opts.action.window)) {
    throw new AppError('VALIDATION', `'${opts.action.window.slice(0, 40)}' is not a window id (0x and up to 8 hex digits, as windows lists them)`);
  }
  const actorName = opts.token
    ? await acquireControlLease({ store: opts.store, actor: opts.actor, environmentId: env.id, tokenId: opts.token.id, now: (opts.now ?? (() => new Date()))() })
    : (opts.personName ?? 'the owner');
  return { target, actorName };
}

type Target = ControlTarget & { agentSocket?: string };

function targetOf(env: EnvironmentRecord): Target {
  if (env.state !== 'running') throw new AppError('CONFLICT', `the environment is ${env.state}, not running`, { state: env.state });
  if (!env.displayEndpoint) throw new AppError('UNAVAILABLE', 'the desktop has no display to control yet');
  const { width, height } = env.spec.display;
  const agentSocket = env.displayEndpoint.agentSocket;
  return { environmentId: env.id, connection: tunnelSettingsFor(env.displayEndpoint, { width, height }), width, height, ...(agentSocket ? { agentSocket } : {}) };
}

const needsAgent = (a: ControlAction) => a.kind === 'windows' || a.kind === 'focusWindow' || a.kind === 'closeWindow';

/** The agent and where it listens; admit() already refused desktops without one. */
function agentFor(opts: RunControlActionOptions<ControlAction>, t: Target): [DesktopAgentPort, AgentTarget] {
  if (!t.agentSocket) throw new AppError('UNSUPPORTED', NO_AGENT_MESSAGE);
  if (!opts.agent) throw new AppError('UNAVAILABLE', 'window control is not available on this server');
  return [opts.agent, { environmentId: t.environmentId, socket: t.agentSocket }];
}

const needEngine = (engine: DesktopControlPort | undefined): DesktopControlPort => {
  if (!engine) throw new AppError('UNAVAILABLE', 'desktop control is not available on this server');
  return engine;
};

/** Off-screen points and regions are refused before anything reaches the desktop. */
function checkOnScreen(action: ControlAction, t: ControlTarget): void {
  const point = (x: number, y: number, what: string) => {
    if (!(x >= 0 && y >= 0 && x < t.width && y < t.height)) {
      throw new AppError('VALIDATION', `${what} (${x}, ${y}) is off the screen, which is ${t.width}×${t.height} (x 0–${t.width - 1}, y 0–${t.height - 1})`);
    }
  };
  const region = (r: Rect | undefined) => {
    if (r && (r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > t.width || r.y + r.height > t.height)) {
      throw new AppError('VALIDATION', `the region ${r.width}×${r.height} at (${r.x}, ${r.y}) is not inside the ${t.width}×${t.height} screen`);
    }
  };
  if (action.kind === 'mouse') {
    point(action.mouse.x, action.mouse.y, 'the point');
    if (action.mouse.action === 'drag') point(action.mouse.toX, action.mouse.toY, 'the drag target');
  } else if (action.kind === 'screenshot' || action.kind === 'waitForChange') {
    region(action.region);
  }
}

async function perform(opts: RunControlActionOptions<ControlAction>, t: Target): Promise<ControlResults[keyof ControlResults]> {
  const a = opts.action;
  const files = () => {
    if (!opts.files) throw new AppError('UNAVAILABLE', 'file transfer is not available on this server');
    return opts.files;
  };
  switch (a.kind) {
    case 'screenshot':
      return needEngine(opts.engine).screenshot(t, { region: a.region, scale: a.scale });
    case 'mouse':
      return needEngine(opts.engine).mouse(t, a.mouse);
    case 'keyboard':
      if (!a.keysyms?.length && !a.text) throw new AppError('VALIDATION', 'give keys to press or text to type');
      return needEngine(opts.engine).keyboard(t, { keysyms: a.keysyms, text: a.text });
    case 'clipboardGet':
      return needEngine(opts.engine).clipboardGet(t);
    case 'clipboardSet':
      await needEngine(opts.engine).clipboardSet(t, a.text);
      return { ok: true as const };
    case 'cursor':
      return needEngine(opts.engine).cursor(t);
    case 'filesList':
      return files().list(t.environmentId);
    case 'filesPut':
      return files().put(t.environmentId, a.name, a.content);
    case 'filesGet':
      return files().get(t.environmentId, a.name);
    case 'waitForChange':
      return needEngine(opts.engine).waitForChange(t, { sinceVersion: a.sinceVersion, timeoutMs: a.timeoutMs, region: a.region });
    case 'windows': {
      const [agent, at] = agentFor(opts, t);
      return agent.windows(at);
    }
    case 'focusWindow': {
      const [agent, at] = agentFor(opts, t);
      return agent.focusWindow(at, a.window);
    }
    case 'closeWindow': {
      const [agent, at] = agentFor(opts, t);
      return agent.closeWindow(at, a.window);
    }
  }
}

/**
 * What the log keeps of an action: its parameters, but typed text only up
 * to LOGGED_TEXT_CHARS, and never what went onto the clipboard or into a
 * file (their size only).
 */
export function loggedParams(a: ControlAction): Record<string, unknown> {
  switch (a.kind) {
    case 'keyboard':
      return {
        ...(a.keys !== undefined ? { keys: a.keys } : {}),
        ...(a.text !== undefined ? { text: a.text.slice(0, LOGGED_TEXT_CHARS), chars: a.text.length, ...(a.text.length > LOGGED_TEXT_CHARS ? { truncated: true } : {}) } : {}),
      };
    case 'clipboardSet':
      return { chars: a.text.length };
    case 'filesPut':
      return { name: a.name, bytes: a.content.length };
    case 'mouse':
      return { ...a.mouse };
    default: {
      const { kind: _kind, ...rest } = a as ControlAction & Record<string, unknown>;
      return rest;
    }
  }
}
