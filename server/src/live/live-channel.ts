import pg from 'pg';
import type { Logger } from 'pino';
import { getPGliteInstance } from 'typeorm-pglite';
import type { DatabaseConfig } from '../db/database-config';
import { embeddedLock } from '../db/embedded-pool';
import { LIVE_CHANNEL } from './live-limits';

/** What the process hears on the live channel. */
export interface ChannelHandlers {
  payload(text: string): void;
  /** The listening connection was lost and is back: notifications may have been missed meanwhile. */
  reconnected(): void;
}

export interface ChannelListener {
  close(): Promise<void>;
}

const RECONNECT_MS = { first: 250, max: 5000 } as const;

/**
 * LISTEN on a connection of its own (PostgreSQL), so every process hears what any process
 * committed; it reconnects with backoff when the server goes away. PGlite is one connection inside
 * this process: LISTEN runs there under the lock query runners take, never inside another's transaction.
 */
export async function listenToLiveChannel(database: DatabaseConfig, handlers: ChannelHandlers, logger: Logger): Promise<ChannelListener> {
  if (database.kind === 'embedded') {
    const db = await getPGliteInstance();
    const unlisten = await embeddedLock.runExclusive(() => db.listen(LIVE_CHANNEL, (text) => handlers.payload(text)));
    return { close: () => embeddedLock.runExclusive(() => unlisten()) };
  }
  return PostgresListener.start(database.url, handlers, logger);
}

class PostgresListener implements ChannelListener {
  private client: pg.Client | null = null;
  private closed = false;
  private delay: number = RECONNECT_MS.first;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly url: string,
    private readonly handlers: ChannelHandlers,
    private readonly logger: Logger,
  ) {}

  static async start(url: string, handlers: ChannelHandlers, logger: Logger): Promise<PostgresListener> {
    const listener = new PostgresListener(url, handlers, logger);
    await listener.connect();
    return listener;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'leadscore-live' });
    client.on('notification', (message) => {
      if (message.channel === LIVE_CHANNEL) this.handlers.payload(message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${LIVE_CHANNEL}`);
    this.delay = RECONNECT_MS.first;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.logger.warn({ err: error }, 'live updates: listening connection lost; reconnecting');
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => this.handlers.reconnected(),
        (error: Error) => {
          const client = this.client;
          this.client = null;
          client?.end().catch(() => undefined);
          if (this.closed) return;
          this.logger.warn({ err: error, retryMs: this.delay }, 'live updates: cannot listen yet');
          this.delay = Math.min(this.delay * 2, RECONNECT_MS.max);
          this.schedule();
        },
      );
    }, this.delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
