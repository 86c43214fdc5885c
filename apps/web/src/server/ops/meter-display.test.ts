import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { configureWebLogger } from './logger';
import { meterDisplayConnection } from './meter-display';
import { webMetrics } from './web-metrics';

/** A socket as guacamole-lite uses it: send() out, 'message' in, 'close' once. */
function fakeSocket() {
  const ws = new EventEmitter() as EventEmitter & { send: (d: unknown) => void; sent: unknown[] };
  ws.sent = [];
  ws.send = (d: unknown) => void ws.sent.push(d);
  return ws;
}
const value = async (name: string, labels: Record<string, string> = {}) => {
  const m = (await webMetrics().registry.getMetricsAsJSON()).find((x) => x.name === name)!;
  return (m.values as { value: number; labels: Record<string, string>; metricName?: string }[]).find((v) => (!v.metricName || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
};

describe('meterDisplayConnection', () => {
  it('counts the open session, bytes both ways and the first frame once, and logs the connection with its environment', async () => {
    const out: string[] = [];
    configureWebLogger({ destination: new Writable({ write: (c: Buffer, _e, done) => (out.push(c.toString()), done()) }) });
    const sessions = await value('genos_display_sessions');
    const frames = await value('genos_display_first_frame_seconds');
    const toBrowser = await value('genos_display_bytes_total', { direction: 'to_browser' });
    const ws = fakeSocket();
    meterDisplayConnection(ws as unknown as WebSocket, { environmentId: 'env1', viewer: 'owner', requestId: 'req-12345678' });
    expect(await value('genos_display_sessions')).toBe(sessions + 1);

    ws.send('4.sync,1.0;');
    expect(await value('genos_display_first_frame_seconds')).toBe(frames);
    ws.send('4.size,1.0,4.1280,3.800;3.img,1.1,2.14,1.0,9.image/png,1.0,1.0;');
    ws.send('3.img,1.2,2.14,1.0,9.image/png,1.0,1.0;');
    ws.emit('message', Buffer.from('5.mouse,1.1,1.2;'));
    expect(ws.sent).toHaveLength(3); // passed through unchanged
    expect(await value('genos_display_first_frame_seconds')).toBe(frames + 1);
    expect(await value('genos_display_bytes_total', { direction: 'to_browser' })).toBe(toBrowser + 11 + 63 + 39);

    ws.emit('close', 1000);
    expect(await value('genos_display_sessions')).toBe(sessions);
    const closed = out.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'display connection closed');
    expect(closed).toMatchObject({ environmentId: 'env1', requestId: 'req-12345678', toBrowser: 113, fromBrowser: 16, firstFrameMs: expect.any(Number) });
  });
});
