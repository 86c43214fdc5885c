import net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago, for a server started next (a recovered database, a test's own server). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
