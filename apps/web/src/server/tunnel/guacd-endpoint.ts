import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectGuacd, type GuacdHop } from '@genos/db/remote-hops';

/** What guacamole-lite's GuacdClient hands to `net.connect(port, host)`: a string port is a unix socket path. */
export type GuacamoleLiteGuacd = { host: string; port: number | string };

/**
 * guacamole-lite opens guacd with plain `net.connect`, so it can reach a TCP
 * port or a unix socket but not speak TLS. For a TLS hop it is given a unix
 * socket of this process's own, in a folder only this user can enter; each
 * connection there is carried over TLS to guacd, with guacd's certificate
 * checked (connectGuacd) before a byte is forwarded.
 */
export async function openGuacdEndpoint(hop: GuacdHop, log: (m: string) => void): Promise<{ guacd: GuacamoleLiteGuacd; close(): void }> {
  if (hop.kind === 'unix') return { guacd: { host: '', port: hop.path }, close: () => {} };
  if (hop.kind === 'tcp') return { guacd: { host: hop.host, port: hop.port }, close: () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-guacd-tls-'));
  const socketPath = path.join(dir, 'relay.sock');
  const server = net.createServer((local) => {
    local.pause();
    const { socket: remote, readyEvent } = connectGuacd(hop);
    const end = () => {
      local.destroy();
      remote.destroy();
    };
    remote.once(readyEvent, () => {
      local.pipe(remote);
      remote.pipe(local);
      local.resume();
    });
    remote.on('error', (e) => {
      // A refused certificate lands here: say why, or the desktop just stays black.
      log(`guacd over TLS (${hop.host}:${hop.port}) failed: ${e.message}`);
      end();
    });
    local.on('error', end);
    remote.on('close', end);
    local.on('close', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  return {
    guacd: { host: '', port: socketPath },
    close: () => {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
