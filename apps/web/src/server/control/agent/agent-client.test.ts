import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@genos/core';
import { FakeAgentSocket } from '../testing/fake-agent-socket';
import { AGENT_MAX_ANSWER_BYTES, askAgent, createDesktopAgent } from './agent-client';

// The agent client against a FAKE agent socket (testing/fake-agent-socket.ts): the requests it
// sends and what it makes of every answer a hostile desktop could give. The real agent runs in a
// real desktop in apps/worker/src/control/desktop-agent.integration.test.ts.
let fake: FakeAgentSocket;
const agent = createDesktopAgent({ timeoutMs: 300 });
const target = () => ({ environmentId: 'env1', socket: fake.socket });
const xterm = { id: '0x1a00002', title: 'genos@desktop: ~', x: 1, y: 41, width: 484, height: 316, focused: true };

beforeAll(async () => {
  fake = await FakeAgentSocket.start();
});
afterAll(async () => {
  await fake.stop();
});

/** The AppError a call failed with, as code and message. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('the call succeeded');
}

describe('desktop agent client', () => {
  it('asks for the windows with one line and returns them', async () => {
    fake.reply = { send: `${JSON.stringify({ windows: [xterm, { ...xterm, id: '0x1c00001', title: 'second', focused: false }] })}\n` };
    const before = fake.requests.length;
    expect(await agent.windows(target())).toEqual([xterm, { ...xterm, id: '0x1c00001', title: 'second', focused: false }]);
    expect(fake.requests.slice(before)).toEqual(['windows']);
  });

  it('reads an answer that arrives in pieces, and one without its final newline', async () => {
    const line = JSON.stringify({ windows: [xterm] });
    fake.reply = { send: [line.slice(0, 10), line.slice(10, 30), `${line.slice(30)}\n`] };
    expect(await agent.windows(target())).toEqual([xterm]);
    fake.reply = { send: line };
    expect(await agent.windows(target())).toEqual([xterm]);
  });

  it('drops fields a newer agent adds', async () => {
    fake.reply = { send: `${JSON.stringify({ windows: [{ ...xterm, pid: 42 }], version: 2 })}\n` };
    expect(await agent.windows(target())).toEqual([xterm]);
  });

  it('sends focus and close with the window id, and says whether they took', async () => {
    const before = fake.requests.length;
    fake.reply = { send: '{"ok":true,"focused":true}\n' };
    expect(await agent.focusWindow(target(), '0x1a00002')).toEqual({ focused: true });
    fake.reply = { send: '{"ok":true,"closed":false}\n' };
    expect(await agent.closeWindow(target(), '27262978')).toEqual({ closed: false });
    expect(fake.requests.slice(before)).toEqual(['focus 0x1a00002', 'close 27262978']);
  });

  it('never sends anything but a window id after focus or close', async () => {
    const before = fake.requests.length;
    for (const bad of ['0x1a00002 windows', '1; rm -rf /', '0x', '0x123456789', '', 'windows\nclose 0x1']) {
      expect(await failure(agent.focusWindow(target(), bad))).toMatchObject({ code: 'VALIDATION' });
      expect(await failure(agent.closeWindow(target(), bad))).toMatchObject({ code: 'VALIDATION' });
    }
    expect(fake.requests.length).toBe(before);
  });

  it("maps the agent's own errors: no such window is NOT_FOUND, anything else UNAVAILABLE with its reason, cleaned", async () => {
    fake.reply = { send: '{"error":"no window 0x5 on this desktop","code":"not_found"}\n' };
    expect(await failure(agent.focusWindow(target(), '0x5'))).toEqual({ code: 'NOT_FOUND', message: 'there is no window 0x5 on this desktop (it may have closed)' });
    fake.reply = { send: `${JSON.stringify({ error: `cannot open the X display\u001b[31m\n${'x'.repeat(500)}`, code: 'unavailable' })}\n` };
    const failed = await failure(agent.windows(target()));
    expect(failed.code).toBe('UNAVAILABLE');
    expect(failed.message).toMatch(/^the desktop's agent could not answer: cannot open the X display \[31m x+$/);
    expect(failed.message.length).toBeLessThan(260);
    // An unknown code is still an error, not a success.
    fake.reply = { send: '{"error":"odd","code":"weird"}\n' };
    expect(await failure(agent.windows(target()))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('odd') });
  });

  it.each([
    ['not JSON', 'windows: none\n', 'not JSON'],
    ['a bare list', `${JSON.stringify([xterm])}\n`, 'not a window list'],
    ['a number where a size belongs', `${JSON.stringify({ windows: [{ ...xterm, width: '484' }] })}\n`, 'not a window list'],
    ['a fractional coordinate', `${JSON.stringify({ windows: [{ ...xterm, x: 1.5 }] })}\n`, 'not a window list'],
    ['a size past X', `${JSON.stringify({ windows: [{ ...xterm, width: 1e9 }] })}\n`, 'not a window list'],
    ['an id that is no X id', `${JSON.stringify({ windows: [{ ...xterm, id: '$(reboot)' }] })}\n`, 'not a window list'],
    ['a missing field', `${JSON.stringify({ windows: [{ ...xterm, focused: undefined }] })}\n`, 'not a window list'],
    ['a title of 5,000 characters', `${JSON.stringify({ windows: [{ ...xterm, title: 't'.repeat(5000) }] })}\n`, 'not a window list'],
    ['300 windows', `${JSON.stringify({ windows: Array.from({ length: 300 }, () => xterm) })}\n`, 'not a window list'],
    ['null', 'null\n', 'not a window list'],
  ])('refuses %s as UNAVAILABLE', async (_what, answer, message) => {
    fake.reply = { send: answer };
    expect(await failure(agent.windows(target()))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining(message) });
  });

  it('refuses a focus answer that does not say focused', async () => {
    fake.reply = { send: '{"ok":true}\n' };
    expect(await failure(agent.focusWindow(target(), '0x5'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('about focus') });
    fake.reply = { send: '{"ok":"yes","closed":true}\n' };
    expect(await failure(agent.closeWindow(target(), '0x5'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('about closing') });
  });

  it('stops reading past 64 KiB without a newline, even from an agent that never stops', async () => {
    const mib = 'x'.repeat(1024 * 1024);
    fake.reply = { send: [mib, mib], keepOpen: true };
    const started = Date.now();
    expect(await failure(askAgent(fake.socket, 'windows', { timeoutMs: 2000 }))).toEqual({ code: 'UNAVAILABLE', message: "the desktop's agent answered more than 64 KiB" });
    expect(Date.now() - started).toBeLessThan(1500);
    // Just under the cap is read.
    fake.reply = { send: `"${'y'.repeat(AGENT_MAX_ANSWER_BYTES - 2)}"\n` };
    expect((await askAgent(fake.socket, 'windows')).length).toBe(AGENT_MAX_ANSWER_BYTES);
  });

  it('gives up on a silent agent after its deadline', async () => {
    fake.reply = { silent: true };
    const started = Date.now();
    expect(await failure(agent.windows(target()))).toEqual({ code: 'UNAVAILABLE', message: "the desktop's agent did not answer within 0.3 s" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('says so when the agent closes without a word or its socket is not there', async () => {
    fake.reply = { close: true };
    expect(await failure(agent.windows(target()))).toEqual({ code: 'UNAVAILABLE', message: "the desktop's agent closed without answering" });
    expect(await failure(agent.windows({ environmentId: 'env1', socket: `${fake.socket}.gone` }))).toEqual({ code: 'UNAVAILABLE', message: "the desktop's agent cannot be reached (ENOENT)" });
  });
});
