import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AuthService } from '../auth/auth.service';
import type { DatabaseConfig } from '../db/database-config';
import type { LoaderFactory } from '../graphql/context';
import type { LeadService } from '../leads/lead.service';
import type { RuleSetService } from '../rulesets/ruleset.service';
import type { RescoreService } from '../scoring/rescore/rescore.service';
import type { ScoreReader } from '../scoring/score-reader';
import { type ChannelListener, listenToLiveChannel } from './live-channel';
import { LiveCredentials } from './live-credentials';
import { decodeNotification } from './live-events';
import { LiveHub } from './live-hub';
import { LiveScoreNotifier } from './live-score-listener';
import type { LiveServer } from './live-server';
import { LiveSubscriptions } from './live-subscriptions';

export interface LiveDependencies {
  dataSource: DataSource;
  database: DatabaseConfig;
  scoreReader: ScoreReader;
  ruleSets: RuleSetService;
  rescore: RescoreService;
  leads: LeadService;
  auth: AuthService;
  logger: Logger;
}

/**
 * Browser origins allowed to open the live socket: CONSOLE_ORIGIN (comma-separated), by default
 * the demo console's (http://127.0.0.1:<CONSOLE_PORT or 3000> and the same on localhost).
 */
export function liveOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env.CONSOLE_ORIGIN?.split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  if (configured?.length) return configured;
  const port = env.CONSOLE_PORT?.trim() || '3000';
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Live updates: what scoring and re-scoring change reaches subscribers in every API process.
 * The notifier (a score-change listener) NOTIFYs in the scoring transaction; each process LISTENs
 * (live-channel.ts), and its hub fans events out to the subscriptions of its sockets.
 */
export class LiveService {
  readonly hub: LiveHub;
  readonly credentials: LiveCredentials;
  /** Registered with ScoringService.addChangeListener in app.ts. */
  readonly notifier = new LiveScoreNotifier();
  private started: LiveSubscriptions | null = null;
  private listener: ChannelListener | null = null;
  private readonly servers = new Set<LiveServer>();

  constructor(private readonly deps: LiveDependencies) {
    this.hub = new LiveHub(deps.dataSource, deps.scoreReader, deps.ruleSets, deps.rescore, deps.logger);
    this.credentials = new LiveCredentials(deps.dataSource, deps.auth);
  }

  /** Starts listening; operations get fresh request loaders from `createLoaders`. */
  async start(createLoaders: LoaderFactory): Promise<void> {
    this.started = new LiveSubscriptions(this.hub, this.deps.leads, this.deps.rescore, createLoaders);
    this.listener = await listenToLiveChannel(
      this.deps.database,
      {
        payload: (text) => this.received(text),
        // Notifications may have been missed while the connection was down: every credential is checked again.
        reconnected: () => {
          for (const server of this.servers) void server.credentialChanged('any', null);
        },
      },
      this.deps.logger,
    );
  }

  /** What subscriptions ask for, checked and registered (after start). */
  get subscriptions(): LiveSubscriptions {
    if (!this.started) throw new Error('LiveService.start must run first');
    return this.started;
  }

  /** A socket server (http/ builds it on its HTTP server, live-server.ts) hears credential changes from now on. */
  register(server: LiveServer): void {
    this.servers.add(server);
  }

  /** Open live connections in this process. */
  get connectionCount(): number {
    let count = 0;
    for (const server of this.servers) count += server.connectionCount;
    return count;
  }

  /** Closes every live connection with this code (clients retry 1001 and 1012 by themselves). */
  closeConnections(code?: number, reason?: string): void {
    for (const server of this.servers) server.closeAll(code, reason);
  }

  /** Closes a socket server and forgets it. */
  async detach(server: LiveServer): Promise<void> {
    this.servers.delete(server);
    await server.close();
  }

  async close(): Promise<void> {
    for (const server of [...this.servers]) await this.detach(server);
    this.hub.finishAll();
    await this.listener?.close();
    this.listener = null;
  }

  private received(text: string): void {
    const notification = decodeNotification(text);
    if (!notification) return;
    if (notification.kind !== 'credential') {
      this.hub.handle(notification);
      return;
    }
    for (const server of this.servers) {
      server.credentialChanged(notification.credential, notification.id).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'live updates: could not check connections after a credential change');
      });
    }
  }
}
