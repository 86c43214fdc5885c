import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeApiError } from '../desktop/api-errors';
import type { GenosApi } from './genos-api';

/**
 * The MCP tools: each one a control (or environments) procedure. Kept apart
 * from the SDK's server so tests can call them with a fake GenosApi.
 */
export type ToolDefinition = {
  name: string;
  description: string;
  inputSchema: z.ZodRawShape;
  run: (args: Record<string, unknown>) => Promise<CallToolResult>;
};

const json = (v: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(v) }] });

/** A refused call is a tool result the agent can read and react to (isError), not a protocol error. */
export function errorResult(e: unknown): CallToolResult {
  const { code, message } = describeApiError(e);
  return { isError: true, content: [{ type: 'text', text: code === 'ERROR' ? message : `${code}: ${message}` }] };
}

const coord = (what: string) => z.number().int().min(0).describe(`${what}, in screen pixels of the full-size screen`);
const button = z.enum(['left', 'middle', 'right']).default('left');
const windowField = z.string().regex(/^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/).describe('a window id as windows lists it, e.g. "0x1a00002"');
const rect = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().min(1), height: z.number().int().min(1) });

export function createTools(api: GenosApi, opts: { defaultEnvironmentId?: string } = {}): ToolDefinition[] {
  const idField = opts.defaultEnvironmentId
    ? z.string().min(1).optional().describe(`the environment (desktop) id; default ${opts.defaultEnvironmentId}`)
    : z.string().min(1).describe('the environment (desktop) id, from list_environments or create_environment');
  const envId = (args: Record<string, unknown>): string => {
    const id = (args.id as string | undefined) ?? opts.defaultEnvironmentId;
    // Only reachable with a default configured, where the schema lets id be left out.
    if (!id) throw new Error('name the desktop: id is required');
    return id;
  };
  const c = api.control;
  const tool = <S extends z.ZodRawShape>(name: string, description: string, shape: S, run: (args: z.infer<z.ZodObject<S>>) => Promise<CallToolResult>): ToolDefinition => ({
    name,
    description,
    inputSchema: shape,
    run: async (args) => {
      try {
        return await run(args as z.infer<z.ZodObject<S>>);
      } catch (e) {
        return errorResult(e);
      }
    },
  });
  const withId = <S extends z.ZodRawShape>(shape: S) => ({ id: idField, ...shape });

  return [
    tool(
      'screenshot',
      'A PNG of the desktop screen (or a region of it, optionally scaled down). Also returns width, height and version (pass version to wait_for_change as sinceVersion).',
      withId({ region: rect.optional().describe('only this rectangle of the screen'), scale: z.number().min(0.05).max(1).optional().describe('shrink the image, e.g. 0.5') }),
      async (a) => {
        const shot = await c.screenshot({ id: envId(a), region: a.region, scale: a.scale });
        return {
          content: [
            { type: 'image', data: shot.png, mimeType: 'image/png' },
            { type: 'text', text: JSON.stringify({ width: shot.width, height: shot.height, version: shot.version }) },
          ],
        };
      },
    ),
    tool(
      'wait_for_change',
      'Waits until the screen (or a region) changes after `sinceVersion`, or until timeoutMs (at most 30000) passes. Returns { changed, version }.',
      withId({ sinceVersion: z.number().int().min(0).optional(), timeoutMs: z.number().int().min(1).max(30_000).default(10_000), region: rect.optional() }),
      async (a) => json(await c.waitForChange({ id: envId(a), sinceVersion: a.sinceVersion, timeoutMs: a.timeoutMs, region: a.region })),
    ),
    tool('mouse_move', 'Moves the pointer to x,y.', withId({ x: coord('x'), y: coord('y') }), async (a) => json(await c.mouse({ id: envId(a), action: 'move', x: a.x, y: a.y }))),
    tool('click', 'Clicks a mouse button at x,y.', withId({ x: coord('x'), y: coord('y'), button }), async (a) => json(await c.mouse({ id: envId(a), action: 'click', x: a.x, y: a.y, button: a.button }))),
    tool('double_click', 'Double-clicks a mouse button at x,y.', withId({ x: coord('x'), y: coord('y'), button }), async (a) =>
      json(await c.mouse({ id: envId(a), action: 'doubleClick', x: a.x, y: a.y, button: a.button })),
    ),
    tool('drag', 'Presses a button at x,y, moves to toX,toY and releases it there.', withId({ x: coord('x'), y: coord('y'), toX: coord('toX'), toY: coord('toY'), button }), async (a) =>
      json(await c.mouse({ id: envId(a), action: 'drag', x: a.x, y: a.y, toX: a.toX, toY: a.toY, button: a.button })),
    ),
    tool('scroll', 'Scrolls at x,y by dy notches: positive down, negative up.', withId({ x: coord('x'), y: coord('y'), dy: z.number().int().min(-100).max(100) }), async (a) =>
      json(await c.mouse({ id: envId(a), action: 'scroll', x: a.x, y: a.y, dy: a.dy })),
    ),
    tool('type_text', 'Types text (any Unicode; "\\n" presses Return) into the focused window.', withId({ text: z.string().min(1).max(10_000) }), async (a) =>
      json(await c.keyboard({ id: envId(a), text: a.text })),
    ),
    tool(
      'press_keys',
      'Presses keys: chords joined by "+", pressed in order and released in reverse, several separated by spaces. X key names: "Return", "ctrl+alt+t", "ctrl+c", "Escape", "Tab", "Up".',
      withId({ keys: z.string().min(1).max(1000) }),
      async (a) => json(await c.keyboard({ id: envId(a), keys: a.keys })),
    ),
    tool('clipboard_get', "The desktop's clipboard text.", withId({}), async (a) => json(await c.clipboardGet({ id: envId(a) }))),
    tool('clipboard_set', "Sets the desktop's clipboard text.", withId({ text: z.string().max(65_536) }), async (a) => json(await c.clipboardSet({ id: envId(a), text: a.text }))),
    tool('cursor', 'Where the pointer is.', withId({}), async (a) => json(await c.cursor({ id: envId(a) }))),
    tool(
      'windows',
      'The open windows: id, title, position and size of their contents in screen pixels, and which has focus. Fails with UNSUPPORTED where the desktop cannot tell (virtual machines).',
      withId({}),
      async (a) => json(await c.windows({ id: envId(a) })),
    ),
    tool('focus_window', 'Brings a window (an id from windows) to the front and gives it the keyboard. Returns { focused }.', withId({ window: windowField }), async (a) =>
      json(await c.focusWindow({ id: envId(a), window: a.window })),
    ),
    tool(
      'close_window',
      'Asks a window (an id from windows) to close, as its close button would. Returns { closed }; false when it is still open (it may be asking, e.g. to save).',
      withId({ window: windowField }),
      async (a) => json(await c.closeWindow({ id: envId(a), window: a.window })),
    ),
    tool('list_environments', 'The desktops this token can see (not terminated): id, name, state.', {}, async () => json(await api.environments.list())),
    tool(
      'create_environment',
      'Creates a desktop from a sentence ("a Linux desktop with firefox", composed by the server) or a spec, and by default waits until it runs.',
      {
        request: z.string().min(1).max(2000).optional().describe('what the desktop should be, in a sentence'),
        spec: z.record(z.string(), z.unknown()).optional().describe('a full environment spec (as `genos compose --json` prints)'),
        wait: z.boolean().default(true),
        timeoutMs: z.number().int().min(1000).max(600_000).default(300_000),
      },
      async (a) => {
        let spec: unknown = a.spec;
        if (spec === undefined) {
          if (!a.request) return errorResult(new Error('give a request (a sentence) or a spec'));
          const composed = await api.environments.compose(a.request);
          // The composer's questions and problems are the answer: the agent can rephrase.
          if (composed.status !== 'ok' || !composed.spec) return { isError: true, content: [{ type: 'text', text: `the composer could not make a desktop of this: ${JSON.stringify({ status: composed.status, problems: composed.problems, questions: composed.questions })}` }] };
          spec = composed.spec;
        }
        const created = await api.environments.create({ spec, request: a.request ?? null });
        const env = a.wait ? await api.environments.waitUntilSettled(created.id, a.timeoutMs) : created;
        return env.state === 'failed' ? { isError: true, content: [{ type: 'text', text: `environment ${env.id} failed: ${env.error ?? 'no reason given'}` }] } : json(env);
      },
    ),
    tool('terminate_environment', 'Terminates a desktop (it cannot be resumed).', { id: z.string().min(1) }, async (a) => json(await api.environments.terminate(a.id))),
  ];
}
