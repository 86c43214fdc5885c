import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFakeGenosApi, fakeServerError } from './fake-genos-api';
import { createTools, type ToolDefinition } from './tools';

/** Calls a tool as the SDK does: arguments parsed by its schema (defaults applied) first. */
const call = (tools: ToolDefinition[], name: string, args: Record<string, unknown>) => {
  const t = tools.find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}`);
  return t.run(z.object(t.inputSchema).parse(args));
};

describe('MCP tools', () => {
  it('lists one tool per control procedure and the environment tools', () => {
    expect(createTools(createFakeGenosApi()).map((t) => t.name)).toEqual([
      'screenshot', 'wait_for_change', 'mouse_move', 'click', 'double_click', 'drag', 'scroll', 'type_text', 'press_keys',
      'clipboard_get', 'clipboard_set', 'cursor', 'windows', 'focus_window', 'close_window', 'list_environments', 'create_environment', 'terminate_environment',
    ]);
  });

  it('maps each tool call to its procedure with the right input', async () => {
    const api = createFakeGenosApi();
    const tools = createTools(api);
    await call(tools, 'click', { id: 'env1', x: 10, y: 20 });
    await call(tools, 'double_click', { id: 'env1', x: 1, y: 2, button: 'right' });
    await call(tools, 'drag', { id: 'env1', x: 1, y: 2, toX: 3, toY: 4 });
    await call(tools, 'scroll', { id: 'env1', x: 5, y: 6, dy: -3 });
    await call(tools, 'type_text', { id: 'env1', text: 'echo hi\n' });
    await call(tools, 'press_keys', { id: 'env1', keys: 'ctrl+alt+t' });
    await call(tools, 'wait_for_change', { id: 'env1', sinceVersion: 7 });
    await call(tools, 'clipboard_set', { id: 'env1', text: 'x' });
    await call(tools, 'focus_window', { id: 'env1', window: '0x1a00002' });
    await call(tools, 'close_window', { id: 'env1', window: '0x1a00002' });
    expect(api.calls).toEqual([
      ['control.mouse', { id: 'env1', action: 'click', x: 10, y: 20, button: 'left' }],
      ['control.mouse', { id: 'env1', action: 'doubleClick', x: 1, y: 2, button: 'right' }],
      ['control.mouse', { id: 'env1', action: 'drag', x: 1, y: 2, toX: 3, toY: 4, button: 'left' }],
      ['control.mouse', { id: 'env1', action: 'scroll', x: 5, y: 6, dy: -3 }],
      ['control.keyboard', { id: 'env1', text: 'echo hi\n' }],
      ['control.keyboard', { id: 'env1', keys: 'ctrl+alt+t' }],
      ['control.waitForChange', { id: 'env1', sinceVersion: 7, timeoutMs: 10_000, region: undefined }],
      ['control.clipboardSet', { id: 'env1', text: 'x' }],
      ['control.focusWindow', { id: 'env1', window: '0x1a00002' }],
      ['control.closeWindow', { id: 'env1', window: '0x1a00002' }],
    ]);
  });

  it('returns a screenshot as a PNG image block with its size and version', async () => {
    const result = await call(createTools(createFakeGenosApi()), 'screenshot', { id: 'env1', scale: 0.5 });
    expect(result.isError).toBeUndefined();
    expect(result.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(JSON.parse((result.content[1] as { text: string }).text)).toEqual({ width: 1280, height: 800, version: 7 });
  });

  it("turns a server error into isError with the server's message", async () => {
    const api = createFakeGenosApi();
    api.failNext(fakeServerError('CONFLICT', 'CONTROL_TAKEN', 'Ada Lovelace (ada@example.com) has taken control of this desktop'));
    const result = await call(createTools(api), 'type_text', { id: 'env1', text: 'hello' });
    expect(result).toEqual({ isError: true, content: [{ type: 'text', text: 'CONTROL_TAKEN: Ada Lovelace (ada@example.com) has taken control of this desktop' }] });
    api.failNext(fakeServerError('TOO_MANY_REQUESTS', 'THROTTLED', 'too many actions: at most 50 a second'));
    expect((await call(createTools(api), 'cursor', { id: 'env1' })).content).toEqual([{ type: 'text', text: 'THROTTLED: too many actions: at most 50 a second' }]);
  });

  it('creates a desktop from a sentence through the composer, then waits until it runs', async () => {
    const api = createFakeGenosApi();
    const result = await call(createTools(api), 'create_environment', { request: 'a Linux desktop with xterm' });
    expect(api.calls.map(([name]) => name)).toEqual(['composer.compose', 'environments.create', 'environments.waitFor']);
    expect(api.calls[1]![1]).toEqual({ spec: { name: 'composed' }, request: 'a Linux desktop with xterm' });
    expect(JSON.parse((result.content[0] as { text: string }).text)).toMatchObject({ id: 'env1', state: 'running' });
  });

  it('uses the default desktop of `genos mcp --env ID` when a call names none', async () => {
    const api = createFakeGenosApi();
    await call(createTools(api, { defaultEnvironmentId: 'envDefault' }), 'cursor', {});
    expect(api.calls).toEqual([['control.cursor', { id: 'envDefault' }]]);
    expect(() => call(createTools(api), 'cursor', {})).toThrow(); // without a default, id is required
  });
});
