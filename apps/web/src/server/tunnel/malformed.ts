import type { WebSocket } from 'ws';
import { GuacProtocolError } from './guac-parser';

/**
 * A websocket 'message' event's text. Guacamole is text: a binary frame is
 * refused (ws has already rejected text frames that are not UTF-8, so the
 * decoding below is exact).
 */
export function messageText(args: unknown[]): string {
  const [data, isBinary] = args as [Buffer | ArrayBuffer | Buffer[] | string, boolean | undefined];
  if (isBinary) throw new GuacProtocolError('binary frame');
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

/**
 * Closes one connection over malformed Guacamole, saying why in the log. Only
 * this socket ends: its guacd connection follows (guacamole-lite closes it on
 * the socket's close), the desktop and its other viewers carry on. A peer that
 * does not finish the close handshake is cut off after a second.
 */
export function closeMalformed(ws: WebSocket, from: string, e: unknown, log?: (m: string) => void): void {
  const reason = e instanceof GuacProtocolError ? e.reason : e instanceof Error ? e.message : String(e);
  log?.(`tunnel: ${from} sent malformed Guacamole, closing that connection: ${reason}`);
  ws.close(1008, 'malformed Guacamole');
  setTimeout(() => ws.terminate(), 1000).unref();
}
