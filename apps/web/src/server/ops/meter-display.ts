import type { WebSocket } from 'ws';
import { webLogger } from './logger';
import { webMetrics } from './web-metrics';

/** guacd's drawing instructions: the first one to reach the browser is its first frame. */
const DRAWING = /(?:^|;)(?:3\.img|3\.png|4\.jpeg|4\.blob|4\.rect|5\.cfill|4\.copy),/;

const size = (data: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? data.reduce((n: number, b: Buffer) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : 0;

/**
 * Counts one display connection from its websocket opening to its close: open
 * sessions, bytes each way, and the time until guacd's first drawing
 * instruction goes out to the browser (what the user waits for). Wraps the
 * socket's send, which guacamole-lite writes through; nothing is changed.
 */
export function meterDisplayConnection(ws: WebSocket, who: { environmentId: string; viewer: string; requestId: string }, openedAt = performance.now()): void {
  const m = webMetrics();
  const log = webLogger().child(who);
  m.displaySessions.inc();
  log.info('display connection opened');
  let firstFrameMs: number | null = null;
  let toBrowser = 0;
  let fromBrowser = 0;
  const send = ws.send.bind(ws) as (...a: unknown[]) => void;
  ws.send = ((data: unknown, ...rest: unknown[]) => {
    const n = size(data);
    toBrowser += n;
    m.displayBytes.inc({ direction: 'to_browser' }, n);
    if (firstFrameMs === null && DRAWING.test(typeof data === 'string' ? data : String(data))) {
      firstFrameMs = performance.now() - openedAt;
      m.firstFrame.observe(firstFrameMs / 1000);
    }
    send(data, ...rest);
  }) as WebSocket['send'];
  ws.on('message', (data: unknown) => {
    const n = size(data);
    fromBrowser += n;
    m.displayBytes.inc({ direction: 'from_browser' }, n);
  });
  ws.once('close', (code: number) => {
    m.displaySessions.dec();
    log.info({ code, durationMs: Math.round(performance.now() - openedAt), firstFrameMs: firstFrameMs === null ? null : Math.round(firstFrameMs), toBrowser, fromBrowser }, 'display connection closed');
  });
}
