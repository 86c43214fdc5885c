import http from 'node:http';
import next from 'next';
import { env } from './src/env';
import { services } from './src/server/services';
import { attachTunnel } from './src/server/tunnel/attach-tunnel';

/**
 * The web process: Next.js plus the display tunnel on the same origin, so the
 * browser needs one address and guacd stays on loopback.
 */
const config = env();
const dev = process.env.GENOS_DEV === '1';
const app = next({ dev, dir: import.meta.dirname, hostname: config.GENOS_BIND_HOST, port: config.PORT });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => void handle(req, res));
// The same client (and pool) the tRPC routes use: services() lives on globalThis.
const { prisma, store } = services();
const tunnel = attachTunnel({
  server,
  prisma,
  key: config.GENOS_TUNNEL_KEY,
  guacd: { host: config.GUACD_HOST, port: config.GUACD_PORT },
  fallthrough: dev ? (req, socket, head) => void app.getUpgradeHandler()(req, socket, head) : undefined,
  log: (m) => console.warn(m),
  store,
});

server.listen(config.PORT, config.GENOS_BIND_HOST, () => {
  console.log(`GenOS web listening on http://${config.GENOS_BIND_HOST}:${config.PORT}`);
});

const stop = () => {
  tunnel.close();
  server.close();
  void prisma.$disconnect().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
