import type Dockerode from 'dockerode';
import { torGatewayName } from './names';

/**
 * Follows a Tor gateway's log until Tor says it is connected ("Bootstrapped
 * 100%"), or `timeoutMs` passes. Returns the last thing Tor said either way,
 * so the owner can be told why pages do not load ("Problem bootstrapping…").
 */
export async function waitForTorBootstrap(opts: { docker: Dockerode; environmentId: string; timeoutMs: number; pollMs?: number }): Promise<{ connected: boolean; last: string; gone?: boolean }> {
  const gateway = opts.docker.getContainer(torGatewayName(opts.environmentId));
  const until = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    let text: string;
    try {
      const raw = (await gateway.logs({ stdout: true, stderr: true, tail: 200 })) as unknown as Buffer;
      text = demux(raw);
    } catch {
      return { connected: false, last, gone: true };
    }
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    last = lines.at(-1)?.replace(/^.*?\[(notice|warn|err)\]\s*/, '') ?? last;
    if (lines.some((l) => /Bootstrapped 100%/.test(l))) return { connected: true, last };
    if (Date.now() >= until) return { connected: false, last };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}

/** Docker's log stream without a TTY: 8-byte frame headers before each chunk. */
function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}
