import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What the fake does with a connection once it has the request line. */
export type FakeAgentReply =
  /** Writes these bytes (in pieces, when given several), then closes. */
  | { send: string | Buffer | (string | Buffer)[]; keepOpen?: boolean }
  /** Says nothing and keeps the connection open. */
  | { silent: true }
  /** Closes at once, saying nothing. */
  | { close: true };

/**
 * A FAKE desktop agent: a unix socket server in a temporary folder standing in
 * for genos-agent behind socat, so the client's reading and parsing can be
 * tested against any answer a hostile desktop might give. It records the
 * request lines it received. The real agent is tested in a real desktop
 * (apps/worker/src/control/desktop-agent.integration.test.ts).
 */
export class FakeAgentSocket {
  readonly requests: string[] = [];
  reply: FakeAgentReply = { send: '{"windows":[]}\n' };
  private readonly conns = new Set<net.Socket>();
  private readonly server = net.createServer((c) => this.accept(c));

  private constructor(
    readonly socket: string,
    private readonly dir: string,
  ) {}

  static async start(): Promise<FakeAgentSocket> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-agent-'));
    const fake = new FakeAgentSocket(path.join(dir, 'agent.sock'), dir);
    await new Promise<void>((resolve) => fake.server.listen(fake.socket, resolve));
    return fake;
  }

  /** Reads the request line (the first only, as the real agent does), then replies. */
  private accept(c: net.Socket) {
    this.conns.add(c);
    c.on('close', () => this.conns.delete(c));
    c.on('error', () => undefined);
    let buf = '';
    let answered = false;
    c.on('data', (d) => {
      if (answered) return;
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      answered = true;
      this.requests.push(buf.slice(0, nl));
      this.answer(c);
    });
  }

  private answer(c: net.Socket) {
    const r = this.reply;
    if ('silent' in r) return;
    if ('close' in r) return void c.end();
    for (const piece of Array.isArray(r.send) ? r.send : [r.send]) c.write(piece);
    if (!r.keepOpen) c.end();
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
