import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DisplayBridges } from './display-bridge';

const bridges = new DisplayBridges();
afterEach(() => bridges.closeAll());

describe('display bridge', () => {
  it('relays bytes between a loopback TCP port and a unix socket, and closes', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bridge-'));
    const sock = path.join(dir, 'vnc.sock');
    const upstream = net.createServer((c) => {
      c.write('RFB 003.008\n');
      c.on('data', (d) => c.write(`echo:${d.toString()}`));
    });
    await new Promise<void>((r) => upstream.listen(sock, r));
    const port = await bridges.open('env1', sock);
    expect(await bridges.open('env1', sock)).toBe(port);

    const client = net.connect(port, '127.0.0.1');
    const received: string[] = [];
    client.on('data', (d) => received.push(d.toString()));
    await new Promise((r) => setTimeout(r, 100));
    client.write('hi');
    await new Promise((r) => setTimeout(r, 100));
    expect(received.join('')).toBe('RFB 003.008\necho:hi');
    client.destroy();

    await bridges.close('env1');
    await expect(new Promise((resolve, reject) => net.connect(port, '127.0.0.1').on('connect', resolve).on('error', reject))).rejects.toThrow();
    upstream.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
