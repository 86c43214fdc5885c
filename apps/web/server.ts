import http from 'node:http';
import next from 'next';
import { env } from './src/env';
import { services } from './src/server/services';
import { attachTunnel } from './src/server/tunnel/attach-tunnel';
import { openGuacdEndpoint } from './src/server/tunnel/guacd-endpoint';
import { describeGuacdHop, resolveGuacdHop } from '@genos/db/remote-hops';
import { prepareRecordingsDir, startRecordingRetention } from './src/server/recordings/recordings';
import { secretKeys } from './src/server/auth/secret-keys';
import { createWebOps } from './src/server/ops/ops-handler';
import { configureWebLogger, webLogger } from './src/server/ops/logger';
import { closeDesktopControl, installDesktopControl } from './src/server/control/desktop-control';

/**
 * The web process: Next.js plus the display tunnel on the same origin, so the
 * browser needs one address and guacd stays on loopback.
 */
const config = env();
// One JSON line per event (pino), secrets redacted (core's log-redaction paths).
configureWebLogger({ level: config.LOG_LEVEL });
const log = webLogger();
const warn = (m: string) => log.warn(m);
const dev = process.env.GENOS_DEV === '1';
const app = next({ dev, dir: import.meta.dirname, hostname: config.GENOS_BIND_HOST, port: config.PORT });
await app.prepare();
const handle = app.getRequestHandler();

// Sign-in throttling and audit rows key on the client address: unless a trusted
// proxy sets it (GENOS_TRUST_PROXY=1), X-Forwarded-For is the socket's own address.
const clientAddress = (req: http.IncomingMessage) => {
  if (config.GENOS_TRUST_PROXY !== '1') req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
};
const server = http.createServer((req, res) => {
  clientAddress(req);
  // /healthz, /readyz, /metrics before Next: they answer even when a page or the build is broken.
  if (ops.handle(req, res)) return;
  void handle(req, res);
});
// The same client (and pool) the tRPC routes use: services() lives on globalThis.
const { prisma, store } = services();
// guacd writes session recordings beside it, sealed under their own keys once done; the retention sweep deletes old ones.
const recordings = await prepareRecordingsDir({ stateDir: config.GENOS_STATE_DIR, guacdUser: config.GENOS_GUACD_USER, recordAll: config.GENOS_RECORD_ALL, keys: secretKeys(prisma), log: warn });
const stopRetention = startRecordingRetention(prisma, secretKeys(prisma), warn);
// guacd's own socket when it runs contained here, TLS when it is on another machine (resolveGuacdHop).
const guacdHop = resolveGuacdHop(config);
const guacd = await openGuacdEndpoint(guacdHop, warn);
const ops = createWebOps({ prisma, guacd: guacdHop, tlsCertFile: config.GENOS_TLS_CERT_FILE });
// Programs drive desktops through guacd like the tunnel does (control.* procedures).
installDesktopControl(guacdHop);
log.info({ guacd: describeGuacdHop(guacdHop) }, `GenOS web reaches guacd at ${describeGuacdHop(guacdHop)}`);
const tunnel = attachTunnel({
  recordings,
  server,
  prisma,
  key: config.GENOS_TUNNEL_KEY,
  guacd: guacd.guacd,
  fallthrough: dev ? (req, socket, head) => void app.getUpgradeHandler()(req, socket, head) : undefined,
  log: warn,
  store,
  limits: {
    instructionsPerSecond: config.GENOS_TUNNEL_MAX_INSTRUCTIONS_PER_SECOND,
    instructionBurst: config.GENOS_TUNNEL_INSTRUCTION_BURST,
    maxMessageBytes: config.GENOS_TUNNEL_MAX_MESSAGE_BYTES,
    maxConnectionsPerUser: config.GENOS_TUNNEL_MAX_CONNECTIONS_PER_USER,
    maxConnectionsPerShareLink: config.GENOS_TUNNEL_MAX_CONNECTIONS_PER_SHARE_LINK,
    idleMs: config.GENOS_TUNNEL_IDLE_MINUTES * 60_000,
  },
});

server.listen(config.PORT, config.GENOS_BIND_HOST, () => {
  log.info(`GenOS web listening on http://${config.GENOS_BIND_HOST}:${config.PORT}`);
});

const stop = () => {
  stopRetention();
  closeDesktopControl();
  tunnel.close();
  guacd.close();
  server.close();
  void prisma.$disconnect().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
