import fs from 'node:fs/promises';
import net from 'node:net';

/**
 * A relay in front of a shared service (PostgreSQL, guacd, the Docker socket)
 * that a test can stop and start again: readiness sees the service go away and
 * come back while the real one keeps serving everyone else.
 */
export interface Relay {
  /** Where clients connect: a TCP port on 127.0.0.1, or a unix socket path. */
  port: number;
  path: string | null;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRelay(target: { port: number; host?: string } | { path: string }, listen: { path?: string } = {}): Promise<Relay> {
  const open = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const start = async () => {
    server = net.createServer((client) => {
      const upstream = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host ?? '127.0.0.1');
      for (const s of [client, upstream]) {
        open.add(s);
        s.on('close', () => open.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    if (listen.path) await fs.rm(listen.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      if (listen.path) server!.listen(listen.path, resolve);
      else server!.listen(port, '127.0.0.1', resolve);
    });
    if (!listen.path) port = (server.address() as net.AddressInfo).port;
  };
  await start();
  return {
    get port() {
      return port;
    },
    path: listen.path ?? null,
    start,
    async stop() {
      const s = server;
      server = null;
      for (const sock of open) sock.destroy();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
