import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LOOPBACK = /^(127\.|::1$|localhost$)/;

/**
 * guacd's version, for the Hosts page and its advisory: `guacd -v` when guacd
 * runs on this machine ("1.3.0"), else what its handshake tells — the
 * protocol version in its `args` reply ("protocol 1.3.0"). null when neither
 * answers within 3 s.
 */
export async function readGuacdVersion(guacd: { host: string; port: number }): Promise<string | null> {
  if (LOOPBACK.test(guacd.host)) {
    const local = await run('guacd', ['-v'], { timeout: 3000 }).then(
      (r) => /version\s+(\d+\.\d+\.\d+)/i.exec(`${r.stdout}${r.stderr}`)?.[1] ?? null,
      () => null,
    );
    if (local) return local;
  }
  const protocol = await handshakeVersion(guacd).catch(() => null);
  return protocol ? `protocol ${protocol}` : null;
}

/** Asks guacd for the VNC plugin's arguments; since protocol 1.1 the first is VERSION_x_y_z. Disconnects before connecting anything. */
function handshakeVersion(guacd: { host: string; port: number }): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(guacd.port, guacd.host);
    let text = '';
    const done = (v: string | null, e?: Error) => {
      socket.destroy();
      if (e) reject(e);
      else resolve(v);
    };
    socket.setTimeout(3000, () => done(null, new Error('guacd did not answer')));
    socket.on('error', (e) => done(null, e));
    socket.on('connect', () => socket.write('6.select,3.vnc;'));
    socket.on('data', (d) => {
      text += d.toString('utf8');
      if (!text.includes(';')) return;
      const m = /VERSION_(\d+)_(\d+)_(\d+)/.exec(text);
      socket.write('10.disconnect;');
      done(m ? `${m[1]}.${m[2]}.${m[3]}` : '1.0.0');
    });
  });
}
