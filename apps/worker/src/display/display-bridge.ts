import net from 'node:net';

/**
 * guacd speaks TCP only, while each desktop exports its display on a unix
 * socket (so an air-gapped sandbox stays viewable). One small loopback
 * listener per environment joins the two.
 */
export class DisplayBridges {
  private readonly servers = new Map<string, net.Server>();
  private readonly sockets = new Map<string, Set<net.Socket>>();

  async open(key: string, socketPath: string, preferredPort = 0): Promise<number> {
    const existing = this.servers.get(key);
    if (existing) return (existing.address() as net.AddressInfo).port;
    const live = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(socketPath);
      live.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        live.delete(client);
        live.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    const listen = (port: number) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    try {
      await listen(preferredPort);
    } catch (e) {
      if (preferredPort === 0) throw e;
      await listen(0); // the old port was taken meanwhile: any port will do
    }
    this.servers.set(key, server);
    this.sockets.set(key, live);
    return (server.address() as net.AddressInfo).port;
  }

  async close(key: string): Promise<void> {
    const server = this.servers.get(key);
    if (!server) return;
    this.servers.delete(key);
    // server.close() waits for open connections: end the viewers' sessions now.
    for (const s of this.sockets.get(key) ?? []) s.destroy();
    this.sockets.delete(key);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((k) => this.close(k)));
  }

  has(key: string): boolean {
    return this.servers.has(key);
  }
}
