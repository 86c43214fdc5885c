import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { createInputRecorder, decryptTunnelToken, hasUserInput, isAppError, resizeDisplay, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import type { RecordingConfig } from '../recordings/recordings';
import { createTunnelSessions } from './tunnel-sessions';
import { createClipboardGate, encodeInstruction, OPEN_POLICY, parseInstructions, type StreamingPolicy } from './clipboard-filter';
import { restrictToViewOnly } from './view-only';
import { closeGuacdGracefully } from './graceful-guacd-close';
import { createResizeQueue } from './display-resize';

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
  /**
   * When given, keyboard and mouse input is recorded for the idle policy (at most every 15 s per
   * environment), and the owner's window size (`size`) resizes the desktop's screen.
   */
  store?: Pick<Store, 'environments' | 'transaction'>;
  /** Where guacd writes session recordings (when team policy or GENOS_RECORD_ALL asks); absent: never record. */
  recordings?: RecordingConfig | null;
}) {
  // A closing tunnel says goodbye to guacd instead of dropping the socket (graceful-guacd-close.ts; installed once).
  closeGuacdGracefully();
  // Share-link tokens, recordings and the view-only input gate (tunnel-sessions.ts).
  const sessions = createTunnelSessions({ prisma: opts.prisma, key: opts.key, recordings: opts.recordings, log: opts.log });
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

  /**
   * Sits between the browser's websocket and guacamole-lite, both ways:
   * clipboard streams the team forbids are dropped here (the browser's UI only
   * mirrors this), the tunnel's internal keep-alive pings are answered here
   * instead of reaching guacd, `genos-rtt` probes are echoed so the client
   * can show its round-trip time, and the owner's `size` (the browser window)
   * goes to `onSize`: guacd 1.3 cannot pass it on to a VNC desktop.
   */
  const guard = (ws: import('ws').WebSocket, policy: StreamingPolicy, environmentId: string, onSize?: (width: number, height: number) => void) => {
    const paste = createClipboardGate(policy.allowPaste);
    const copy = createClipboardGate(policy.allowCopy);
    const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
    const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
    let fromClient = '';
    let logged = 0;
    ws.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'message') return emit(event, ...args);
      let parsed;
      try {
        parsed = parseInstructions(fromClient + String(args[0]));
      } catch {
        ws.terminate();
        return false;
      }
      fromClient = parsed.rest;
      let out = '';
      for (const ins of parsed.instructions) {
        if (ins.opcode === '') {
          if (ins.args[0] === 'ping') send(ins.raw);
          else if (ins.args[0] === 'genos-rtt') send(encodeInstruction('genos-rtt', ...ins.args.slice(1)));
          continue; // internal instructions are the tunnel's own, never guacd's
        }
        if (ins.opcode === 'size' && onSize) onSize(Number(ins.args[0]), Number(ins.args[1]));
        if (paste.pass(ins)) out += ins.raw;
      }
      if (paste.dropped > logged) {
        logged = paste.dropped;
        opts.log?.(`tunnel: dropped a clipboard paste into ${environmentId} (team policy)`);
      }
      return out ? emit('message', out, false) : true;
    }) as typeof ws.emit;
    if (!policy.allowCopy) {
      let fromGuacd = '';
      ws.send = ((data: unknown, ...rest: unknown[]) => {
        const parsed = parseInstructions(fromGuacd + String(data));
        fromGuacd = parsed.rest;
        const out = parsed.instructions.filter((i) => copy.pass(i)).map((i) => i.raw).join('');
        if (out) send(out, ...rest);
        else (rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined)?.();
      }) as typeof ws.send;
    }
  };

  const policyFor = async (teamId: string | null): Promise<StreamingPolicy> => {
    if (!teamId) return OPEN_POLICY;
    const team = await opts.prisma.team.findUnique({ where: { id: teamId }, select: { allowCopy: true, allowPaste: true } });
    return team ?? OPEN_POLICY;
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
        if (token.genos.observer === 'admin') {
          // An admin's read-only observation: the holder must still be an active admin.
          const observer = await opts.prisma.user.findUnique({ where: { id: token.genos.userId }, select: { role: true, disabledAt: true } });
          if (!env || !observer || observer.role !== 'admin' || observer.disabledAt || token.genos.readOnly !== true) return refuse(socket, 403, 'Forbidden');
          if (env.state !== 'running') return refuse(socket, 409, 'Conflict');
          if (!claim(token.genos.jti, token.genos.exp)) return refuse(socket, 401, 'Unauthorized');
          // No input recording: an observer's clicks are not the owner's activity (guacd drops them anyway).
          // The team's clipboard policy binds observers too.
          const observed = await policyFor(env.teamId);
          guac.webSocketServer.handleUpgrade(req, socket, head, (ws) => {
            // Read-only in guacd and in the tunnel: an observer's input never leaves this process.
            restrictToViewOnly(ws, opts.log);
            guard(ws, observed, env.id);
            guac.webSocketServer.emit('connection', ws, req);
          });
          return;
        }
        if (!env) return refuse(socket, 403, 'Forbidden');
        const denied = await sessions.authorize(token.genos, env);
        if (denied) return refuse(socket, denied.status, denied.reason, denied.message);
        if (env.state === 'suspended') return refuse(socket, 409, 'Conflict', 'This desktop is suspended: resume it to connect.');
        if (env.state !== 'running') return refuse(socket, 409, 'Conflict');
        if (!claim(token.genos.jti, token.genos.exp)) return refuse(socket, 401, 'Unauthorized', 'This display link was already used: reload the page for a new one.');
        const policy = await policyFor(env.teamId);
        const session = await sessions.begin(req, token, env);
        // Only the owner's own window resizes the desktop, never a share link's viewer.
        const resize =
          store && token.genos.purpose === 'control'
            ? createResizeQueue((width, height) => resizeDisplay({ store, actor: { kind: 'user', id: token.genos.userId }, id: env.id, width, height }), {
                onError: (e) => opts.log?.(`display resize failed: ${e instanceof Error ? e.message : String(e)}`),
              })
            : undefined;
        guac.webSocketServer.handleUpgrade(req, socket, head, (ws) => {
          session.attach(ws);
          guard(ws, policy, env.id, resize);
          watchInput(ws, env.id);
          guac.webSocketServer.emit('connection', ws, req);
        });
      } catch (e) {
        opts.log?.(`tunnel refused: ${e instanceof Error ? e.message : String(e)}`);
        if (isAppError(e)) refuse(socket, 401, 'Unauthorized', `The display link is ${/expired/.test(e.message) ? 'expired' : 'invalid or was altered'}: reload the page for a new one.`);
        else refuse(socket, 500, 'Internal Server Error');
      }
    })();
  });

  return { close: () => guac.close() };
}
