import { execFile } from 'node:child_process';
import { guacdHandshake, isLocalHost, type GuacdHop } from '@genos/db/remote-hops';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * guacd's version, for the Hosts page and its advisory: `guacd -v` when guacd
 * runs on this machine ("1.3.0"), else what its handshake tells — the
 * protocol version in its `args` reply ("protocol 1.3.0"). null when neither
 * answers within 3 s.
 */
export async function readGuacdVersion(guacd: GuacdHop): Promise<string | null> {
  if (guacd.kind === 'unix' || isLocalHost(guacd.host)) {
    const local = await run('guacd', ['-v'], { timeout: 3000 }).then(
      (r) => /version\s+(\d+\.\d+\.\d+)/i.exec(`${r.stdout}${r.stderr}`)?.[1] ?? null,
      () => null,
    );
    if (local) return local;
  }
  const protocol = await handshakeVersion(guacd).catch(() => null);
  return protocol ? `protocol ${protocol}` : null;
}

/** guacd's `args` reply to a VNC handshake: since protocol 1.1 its first argument is VERSION_x_y_z. */
async function handshakeVersion(guacd: GuacdHop): Promise<string | null> {
  const args = await guacdHandshake(guacd, 3000);
  const m = /VERSION_(\d+)_(\d+)_(\d+)/.exec(args);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : '1.0.0';
}
