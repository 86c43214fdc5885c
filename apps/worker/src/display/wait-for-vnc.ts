import fs from 'node:fs/promises';
import net from 'node:net';

/** Resolves once the socket exists and answers with an RFB banner. Polls; never sleeps blindly. */
export async function waitForVnc(socketPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'socket not created';
  while (Date.now() < deadline) {
    try {
      await fs.access(socketPath);
      await readBanner(socketPath, Math.max(500, deadline - Date.now()));
      return;
    } catch (e) {
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
