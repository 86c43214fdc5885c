import http from 'node:http';
import next from 'next';
import { env } from './src/env';
import { services } from './src/server/services';
import { attachTunnel } from './src/server/tunnel/attach-tunnel';
import { prepareRecordingsDir, startRecordingRetention } from './src/server/recordings/recordings';

/**
 * The web process: Next.js plus the display tunnel on the same origin, so the
 * browser needs one address and guacd stays on loopback.
 */
const config = env();
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
  void handle(req, res);
});
// The same client (and pool) the tRPC routes use: services() lives on globalThis.
const { prisma, store } = services();
// guacd writes session recordings beside it; the retention sweep deletes old ones.
const recordings = await prepareRecordingsDir({ stateDir: config.GENOS_STATE_DIR, guacdUser: config.GENOS_GUACD_USER, recordAll: config.GENOS_RECORD_ALL, log: (m) => console.warn(m) });
const stopRetention = startRecordingRetention(prisma, (m) => console.warn(m));
const tunnel = attachTunnel({
  recordings,
  server,
  prisma,
  key: config.GENOS_TUNNEL_KEY,
  guacd: { host: config.GUACD_HOST, port: config.GUACD_PORT },
  fallthrough: dev ? (req, socket, head) => void app.getUpgradeHandler()(req, socket, head) : undefined,
  log: (m) => console.warn(m),
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
  console.log(`GenOS web listening on http://${config.GENOS_BIND_HOST}:${config.PORT}`);
});

const stop = () => {
  stopRetention();
  tunnel.close();
  server.close();
  void prisma.$disconnect().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
