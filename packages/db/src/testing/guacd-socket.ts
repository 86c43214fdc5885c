// listenForGuacd(): a unix socket that the contained guacd can open, for tests
// that put a desktop (real, through a bridge, or a fake VNC server) behind
// guacd. guacd runs in its own network namespace (scripts/start-guacd.sh), so a
// TCP port on the host's loopback is out of its reach, exactly as for a real
// desktop: what it reaches is a socket path under a GenOS state root, in a
// folder of guacd's group (0710) with the socket open to that group (0770).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

const guacdGid = (): number => Number(execFileSync('id', ['-g', 'genos-guacd'], { encoding: 'utf8' }).trim());

export interface GuacdSocket {
  /** What to hand guacd as the VNC/RDP "hostname" (with port 0). */
  path: string;
  server: net.Server;
  close(): Promise<void>;
}

/** Listens on `<stateDir>/guacd-sockets/<name>.sock`; `stateDir` comes from freshTestState (removed with it). */
export async function listenForGuacd(stateDir: string, name: string, onConnection: (socket: net.Socket) => void): Promise<GuacdSocket> {
  const dir = path.join(stateDir, 'guacd-sockets');
  await fs.mkdir(dir, { recursive: true });
  await fs.chmod(stateDir, 0o711);
  await fs.chown(dir, 0, guacdGid());
  await fs.chmod(dir, 0o710);
  const socketPath = path.join(dir, `${name}.sock`);
  await fs.rm(socketPath, { force: true });
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  await fs.chown(socketPath, 0, guacdGid());
  await fs.chmod(socketPath, 0o770);
  return {
    path: socketPath,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
