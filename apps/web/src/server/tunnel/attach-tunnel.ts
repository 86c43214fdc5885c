import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { createInputRecorder, decryptTunnelToken, hasUserInput, isAppError, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';

const require = createRequire(import.meta.url);
// guacamole-lite is CommonJS without types.
const GuacamoleLite = require('guacamole-lite') as new (
  ws: object,
  guacd: { host: string; port: number },
  client: object,
  callbacks?: object,
) => { webSocketServer: import('ws').WebSocketServer; close(): void };

export const TUNNEL_PATH = '/tunnel';

/**
 * Mounts guacamole-lite on our own HTTP server (same origin, one websocket
 * path). Every upgrade is checked before guacamole-lite sees it: the token
 * must decrypt, be unexpired, and name a running environment its holder owns.
 * Refusals are plain HTTP 401/403/404 so nothing reaches guacd.
 */
export function attachTunnel(opts: {
  server: Server;
  prisma: PrismaClient;
  key: string;
  guacd: { host: string; port: number };
  fallthrough?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  log?: (msg: string) => void;
  /** When given, keyboard and mouse input is recorded for the idle policy (at most every 15 s per environment). */
  store?: Pick<Store, 'environments'>;
}) {
  const guac = new GuacamoleLite(
    // guacamole-lite adds a default port unless a 'server' key exists; ws then wants noServer alone.
    { server: undefined, noServer: true },
    opts.guacd,
    {
      crypt: { cypher: 'AES-256-CBC', key: opts.key },
      log: { level: 'ERRORS' },
      maxInactivityTime: 20_000,
    },
  );

  // Tokens are single-use: remember each accepted one until it would expire anyway.
  const used = new Map<string, number>();
  const claim = (jti: string, exp: number): boolean => {
    const now = Date.now();
    for (const [k, e] of used) if (e < now) used.delete(k);
    if (used.has(jti)) return false;
    used.set(jti, exp);
    return true;
  };

  const refuse = (socket: Duplex, status: number, message: string, body = message) => {
    socket.end(`HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${body}\n`);
  };

  const store = opts.store;
  const inputs = store ? createInputRecorder({ store, onError: (e) => opts.log?.(`recording input failed: ${e instanceof Error ? e.message : String(e)}`) }) : null;
  /** Watches the client's instructions beside guacamole-lite's own listener: nothing waits on it. */
  const watchInput = (ws: import('ws').WebSocket, environmentId: string) => {
    if (!inputs) return;
    ws.on('message', (data: import('ws').RawData) => {
      // Between writes nothing is parsed at all.
      if (inputs.due(environmentId) && hasUserInput(data.toString())) inputs.seen(environmentId);
    });
  };

  opts.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== TUNNEL_PATH) {
      if (opts.fallthrough) opts.fallthrough(req, socket, head);
      else socket.destroy();
      return;
    }
    void (async () => {
      try {
        const token = decryptTunnelToken(url.searchParams.get('token') ?? '', opts.key);
        const env = await opts.prisma.environment.findUnique({ where: { id: token.genos.environmentId } });
        if (!env || env.ownerId !== token.genos.userId) return refuse(socket, 403, 'Forbidden');
        if (env.state === 'suspended') return refuse(socket, 409, 'Conflict', 'This desktop is suspended: resume it to connect.');
        if (env.state !== 'running') return refuse(socket, 409, 'Conflict');
        if (!claim(token.genos.jti, token.genos.exp)) return refuse(socket, 401, 'Unauthorized');
        guac.webSocketServer.handleUpgrade(req, socket, head, (ws) => {
          watchInput(ws, env.id);
          guac.webSocketServer.emit('connection', ws, req);
        });
      } catch (e) {
        opts.log?.(`tunnel refused: ${e instanceof Error ? e.message : String(e)}`);
        refuse(socket, isAppError(e) ? 401 : 500, isAppError(e) ? 'Unauthorized' : 'Internal Server Error');
      }
    })();
  });

  return { close: () => guac.close() };
}
