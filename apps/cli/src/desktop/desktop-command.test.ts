import { describe, expect, it } from 'vitest';
import { createFakeGenosApi, fakeServerError, FAKE_PNG_BASE64 } from '../mcp/fake-genos-api';
import { EXIT } from './api-errors';
import { runDesktopCommand } from './desktop-command';

/** Runs `genos desktop …` against the fake API, with an in-memory disk and terminal. */
async function run(argv: string[], prepare?: (api: ReturnType<typeof createFakeGenosApi>) => void) {
  const api = createFakeGenosApi();
  prepare?.(api);
  const files = new Map<string, Buffer>([['/tmp/notes.txt', Buffer.from('notes')]]);
  let stdout = '';
  let stderr = '';
  const code = await runDesktopCommand(argv, {
    api: async () => api.control,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: async (f) => files.get(f) ?? Promise.reject(new Error(`ENOENT: ${f}`)),
    writeFile: async (f, d) => void files.set(f, d),
  });
  return { code, stdout, stderr, calls: api.calls, files };
}

describe('genos desktop', () => {
  it('screenshot writes the PNG and prints its size and version', async () => {
    const r = await run(['screenshot', 'env1', '--out', '/tmp/s.png', '--region', '0,0,640,400', '--scale', '0.5', '--json']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.calls).toEqual([['control.screenshot', { id: 'env1', region: { x: 0, y: 0, width: 640, height: 400 }, scale: 0.5 }]]);
    expect(r.files.get('/tmp/s.png')).toEqual(Buffer.from(FAKE_PNG_BASE64, 'base64'));
    expect(JSON.parse(r.stdout)).toEqual({ out: '/tmp/s.png', width: 1280, height: 800, version: 7 });
  });

  it('maps mouse commands to the mouse procedure, negative scroll included', async () => {
    expect((await run(['click', 'env1', '10', '20', '--button', 'right', '--double'])).calls).toEqual([['control.mouse', { id: 'env1', action: 'doubleClick', x: 10, y: 20, button: 'right' }]]);
    expect((await run(['scroll', 'env1', '5', '6', '-3'])).calls).toEqual([['control.mouse', { id: 'env1', action: 'scroll', x: 5, y: 6, dy: -3 }]]);
    expect((await run(['drag', 'env1', '1', '2', '3', '4'])).calls).toEqual([['control.mouse', { id: 'env1', action: 'drag', x: 1, y: 2, toX: 3, toY: 4, button: 'left' }]]);
    expect((await run(['move', 'env1', '7', '8'])).calls).toEqual([['control.mouse', { id: 'env1', action: 'move', x: 7, y: 8 }]]);
  });

  it('types text and presses keys', async () => {
    expect((await run(['type', 'env1', 'echo', 'genos-$((6*7))'])).calls).toEqual([['control.keyboard', { id: 'env1', text: 'echo genos-$((6*7))' }]]);
    expect((await run(['key', 'env1', 'ctrl+alt+t'])).calls).toEqual([['control.keyboard', { id: 'env1', keys: 'ctrl+alt+t' }]]);
  });

  it('moves files through the transfer folder and prints the clipboard as it is', async () => {
    expect((await run(['files', 'env1', 'put', '/tmp/notes.txt'])).calls).toEqual([['control.filesPut', { id: 'env1', name: 'notes.txt', contentBase64: Buffer.from('notes').toString('base64') }]]);
    const got = await run(['files', 'env1', 'get', 'a.txt', '--out', '/tmp/a.txt']);
    expect(got.files.get('/tmp/a.txt')?.toString()).toBe('hello');
    expect((await run(['clipboard', 'env1'])).stdout).toBe('copied');
    expect((await run(['clipboard', 'env1', '--set', 'x'])).calls).toEqual([['control.clipboardSet', { id: 'env1', text: 'x' }]]);
  });

  it('lists windows, focuses or closes one, and exits 8 when that did not happen', async () => {
    const listed = await run(['windows', 'env1', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: '0x1', title: 'xterm', focused: true })]);
    const focused = await run(['windows', 'env1', '--focus', '0x1']);
    expect([focused.code, focused.calls]).toEqual([EXIT.ok, [['control.focusWindow', { id: 'env1', window: '0x1' }]]]);
    const closed = await run(['windows', 'env1', '--close', '0x1'], (api) => (api.control.closeWindow = async () => ({ closed: false })));
    expect([closed.code, JSON.parse(closed.stdout)]).toEqual([EXIT.noChange, { closed: false }]);
    const both = await run(['windows', 'env1', '--focus', '0x1', '--close', '0x1']);
    expect([both.code, both.calls]).toEqual([EXIT.usage, []]);
  });

  it('prints actions as JSON lines', async () => {
    const r = await run(['actions', 'env1', '--limit', '10']);
    expect(r.calls).toEqual([['control.actions', { id: 'env1', limit: 10 }]]);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ action: 'keyboard', screenshotRef: null })]);
  });

  it('exits 8 when the screen did not change before the timeout', async () => {
    const r = await run(['wait', 'env1', '--timeout', '500'], (api) => (api.control.waitForChange = async () => ({ changed: false, version: 3 })));
    expect(r.code).toBe(EXIT.noChange);
  });

  it("names who holds control, and exits with the error's code", async () => {
    const r = await run(['type', 'env1', 'hi'], (api) => api.failNext(fakeServerError('CONFLICT', 'CONTROL_TAKEN', 'Ada (ada@example.com) has taken control of this desktop')));
    expect(r.code).toBe(EXIT.controlTaken);
    expect(r.stderr).toBe('genos: CONTROL_TAKEN: Ada (ada@example.com) has taken control of this desktop\n');
    expect((await run(['cursor', 'env1'], (api) => api.failNext(fakeServerError('NOT_FOUND', 'NOT_FOUND', 'environment not found')))).code).toBe(EXIT.notFound);
  });

  it('refuses bad command lines before calling GenOS', async () => {
    for (const argv of [['click', 'env1', '10'], ['screenshot', 'env1'], ['screenshot', 'env1', '--out', 'f', '--scale', '2'], ['click', 'env1', '1', '2', '--button', 'side'], ['bogus', 'env1'], ['type', 'env1', '--nope']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.calls, argv.join(' ')).toEqual([]);
    }
  });
});
