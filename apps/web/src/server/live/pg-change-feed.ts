import pg from 'pg';
import { ENVIRONMENT_CHANGES_CHANNEL, ENVIRONMENT_STATES, type ChangeFeed, type ChangeFeedEvent, type EnvironmentChange } from '@genos/core';

/** How the listener's connection shows up in pg_stat_activity. */
export const CHANGE_FEED_APP_NAME = 'genos-web-changes';

export interface PgChangeFeedOptions {
  connectionString: string;
  applicationName?: string;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (message: string) => void;
}

function parseChange(payload: string | undefined): EnvironmentChange | null {
  try {
    const v = JSON.parse(payload ?? '') as Partial<EnvironmentChange>;
    if (typeof v.id !== 'string' || typeof v.ownerId !== 'string' || !ENVIRONMENT_STATES.includes(v.state as never)) return null;
    return { id: v.id, state: v.state!, ownerId: v.ownerId };
  } catch {
    return null;
  }
}

/**
 * One dedicated connection doing LISTEN on the environment-changes channel,
 * fanned out to every subscriber in this process. It connects on the first
 * subscribe, reconnects with exponential backoff whenever the connection
 * drops, and replays nothing: each time LISTEN is (re-)established,
 * subscribers get `{ resync: true }` and re-read what they follow.
 */
export class PgChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(c: ChangeFeedEvent) => void>();
  private started = false;
  private closed = false;
  private client: pg.Client | null = null;
  private connected = false;
  private readyWaiters: (() => void)[] = [];
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeSleep: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** How many times LISTEN was established (1 after the first connect). */
  connections = 0;

  constructor(private readonly opts: PgChangeFeedOptions) {}

  subscribe(listener: (change: ChangeFeedEvent) => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Starts connecting (idempotent); subscribe() does this too. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.loop = this.run();
  }

  /** Resolves once LISTEN is active on a live connection. */
  ready(): Promise<void> {
    this.start();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    await this.loop;
    this.listeners.clear();
  }

  private emit(change: ChangeFeedEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (e) {
        this.opts.log?.(`change feed subscriber failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private async run(): Promise<void> {
    const min = this.opts.minBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 10_000;
    let failures = 0;
    while (!this.closed) {
      const client = new pg.Client({
        connectionString: this.opts.connectionString,
        application_name: this.opts.applicationName ?? CHANGE_FEED_APP_NAME,
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
      });
      const lost = new Promise<string>((resolve) => {
        client.on('error', (e) => resolve(e.message));
        client.on('end', () => resolve('connection ended'));
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${ENVIRONMENT_CHANGES_CHANNEL}`);
      } catch (e) {
        await client.end().catch(() => {});
        if (this.closed) break;
        const delay = Math.min(max, min * 2 ** failures++);
        this.opts.log?.(`change feed cannot listen (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`);
        await this.sleep(delay);
        continue;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        break;
      }
      failures = 0;
      this.client = client;
      client.on('notification', (msg) => {
        if (msg.channel !== ENVIRONMENT_CHANGES_CHANNEL) return;
        const change = parseChange(msg.payload);
        if (change) this.emit(change);
      });
      this.connected = true;
      this.connections++;
      // Anything may have changed while we were not listening (or before we first were).
      this.emit({ resync: true });
      for (const resolve of this.readyWaiters.splice(0)) resolve();

      const reason = await lost;
      this.connected = false;
      this.client = null;
      await client.end().catch(() => {});
      if (this.closed) break;
      this.opts.log?.(`change feed connection lost (${reason}); reconnecting`);
      await this.sleep(Math.min(max, min));
    }
    this.connected = false;
  }
}

// Process-wide, kept on globalThis (like services.ts) so Next's module
// reloading in dev does not open a second LISTEN connection per edit.
const g = globalThis as unknown as { __genosChangeFeed?: PgChangeFeed };

/** The web process's one change feed on DATABASE_URL; connects on first subscribe. */
export function changeFeed(connectionString: string): PgChangeFeed {
  g.__genosChangeFeed ??= new PgChangeFeed({ connectionString, log: (m) => console.warn(m) });
  return g.__genosChangeFeed;
}
