import fs from 'node:fs/promises';
import net from 'node:net';
import { RefusedSocketError } from './pinned-sockets';

/** The socket each protocol's display is exported on, in the environment's display folder. */
export const displaySocketName = (protocol: 'vnc' | 'rdp') => (protocol === 'rdp' ? 'rdp.sock' : 'vnc.sock');

/**
 * Resolves once the display socket exists and answers: VNC with its RFB
 * banner, RDP (which waits for the client to speak first) by accepting the
 * connection. Polls; never sleeps blindly. `socket` is a path, or (a desktop's
 * socket) a function pinning it out of the desktop's reach (pinSocket) that
 * answers null until it exists: the path probed is returned. A socket the
 * desktop replaced with something else (RefusedSocketError) fails at once.
 */
export async function waitForDisplay(socket: string | (() => Promise<string | null>), timeoutMs: number, protocol: 'vnc' | 'rdp' = 'vnc'): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'socket not created';
  while (Date.now() < deadline) {
    try {
      const socketPath = typeof socket === 'string' ? socket : await socket();
      if (socketPath === null) throw new Error('socket not created');
      await fs.access(socketPath);
      if (protocol === 'rdp') await accepts(socketPath);
      else await readBanner(socketPath, Math.max(500, deadline - Date.now()));
      return socketPath;
    } catch (e) {
      if (e instanceof RefusedSocketError) throw e;
      lastError = e instanceof Error ? e.message : String(e);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`display did not come up within ${timeoutMs} ms (${lastError})`);
}

function readBanner(socketPath: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no RFB banner'));
    }, timeoutMs);
    sock.once('data', (buf) => {
      clearTimeout(timer);
      sock.destroy();
      if (buf.toString('latin1').startsWith('RFB ')) resolve();
      else reject(new Error('unexpected banner'));
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function accepts(socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    sock.once('connect', () => {
      sock.destroy();
      resolve();
    });
    sock.once('error', reject);
  });
}
