import { TRPCClientError } from '@trpc/client';
import type { ControlApi } from '../desktop/control-api';
import type { EnvironmentsApi, GenosApi } from './genos-api';

/**
 * A fake of the GenOS tRPC API for unit tests: records every call as
 * [procedure, input] and answers with canned values; `failNext` makes the
 * next call throw what the real client throws for a server error.
 */
export type FakeGenosApi = GenosApi & { calls: [string, unknown][]; failNext: (e: unknown) => void };

/** The error the tRPC client raises for a server AppError (trpc.ts puts `appCode` in `data`). */
export function fakeServerError(trpcCode: string, appCode: string | null, message: string): TRPCClientError<any> {
  return TRPCClientError.from({ error: { code: -32000, message, data: { code: trpcCode, httpStatus: 409, appCode, details: null, zodIssues: null } } });
}

/** 1x1 transparent PNG. */
export const FAKE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

export function createFakeGenosApi(): FakeGenosApi {
  const calls: [string, unknown][] = [];
  let pending: unknown = null;
  const answer = <T>(name: string, input: unknown, value: T): Promise<T> => {
    calls.push([name, input]);
    if (pending !== null) {
      const e = pending;
      pending = null;
      return Promise.reject(e);
    }
    return Promise.resolve(value);
  };
  const env = { id: 'env1', name: 'fake desktop', state: 'running', runtime: 'container', error: null };
  const control: ControlApi = {
    status: (i) => answer('control.status', i, { holder: null, programsAllowed: true, suspendedProgram: null }),
    screenshot: (i) => answer('control.screenshot', i, { png: FAKE_PNG_BASE64, width: 1280, height: 800, version: 7 }),
    waitForChange: (i) => answer('control.waitForChange', i, { changed: true, version: 8 }),
    mouse: (i) => answer('control.mouse', i, { x: i.x, y: i.y }),
    keyboard: (i) => answer('control.keyboard', i, { sent: (i.text ?? i.keys ?? '').length }),
    clipboardGet: (i) => answer('control.clipboardGet', i, { text: 'copied' }),
    clipboardSet: (i) => answer('control.clipboardSet', i, { ok: true }),
    filesList: (i) => answer('control.filesList', i, [{ name: 'a.txt', size: 5 }]),
    filesPut: (i) => answer('control.filesPut', i, { name: i.name, size: Buffer.from(i.contentBase64, 'base64').length }),
    filesGet: (i) => answer('control.filesGet', i, { contentBase64: Buffer.from('hello').toString('base64') }),
    windows: (i) => answer('control.windows', i, [{ id: '0x1', title: 'xterm', x: 0, y: 0, width: 484, height: 316, focused: true }]),
    focusWindow: (i) => answer('control.focusWindow', i, { focused: true }),
    closeWindow: (i) => answer('control.closeWindow', i, { closed: true }),
    cursor: (i) => answer('control.cursor', i, { x: 10, y: 20 }),
    actions: (i) => answer('control.actions', i, [{ at: '2025-01-01T00:00:00.000Z', actor: { kind: 'token', name: 'bot' }, action: 'keyboard', params: { keys: 'Return' }, screenshotRef: null }]),
  };
  const environments: EnvironmentsApi = {
    list: () => answer('environments.list', undefined, [env]),
    compose: (request) => answer('composer.compose', request, { status: 'ok', spec: { name: 'composed' }, problems: [], questions: [] }),
    create: (i) => answer('environments.create', i, { ...env, state: 'requested' }),
    waitUntilSettled: (id, timeoutMs) => answer('environments.waitFor', { id, timeoutMs }, env),
    terminate: (id) => answer('environments.terminate', id, { ...env, state: 'terminating' }),
  };
  return { control, environments, calls, failNext: (e) => (pending = e) };
}
