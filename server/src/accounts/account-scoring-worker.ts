import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ScoringService } from '../scoring/scoring.service';
import type { AccountScoringService } from './account-scoring.service';
import {
  advancePending,
  claimPending,
  collectLoggedAccounts,
  contactIdsAfter,
  finishPending,
  type PendingClaim,
} from './account-scoring-store';

export interface AccountScoringWorkerOptions {
  /** How often due work is looked for (default 500 ms). */
  pollMs?: number;
  /** Rows claimed per poll (default 20). */
  batch?: number;
  /** How long a claim holds before another worker may take it over (default 5 min). */
  claimMs?: number;
  /** Contacts re-scored per transaction of a deferred contacts re-score (default 1,000). */
  contactsPerTransaction?: number;
}

/**
 * Runs the account scoring work left to a worker (account_rescore_pending): recomputing big or busy
 * accounts (contacts read page by page), and re-scoring an account's contacts after its score
 * changed, a bounded chunk per transaction, resumed where it stopped. Polls, like the webhook
 * outbox; several processes share the rows through SKIP LOCKED claims.
 */
export class AccountScoringWorker {
  private timer: NodeJS.Timeout | null = null;
  /** The poll in progress, if any: polls never overlap, and stop() waits for it. */
  private polling: Promise<unknown> | null = null;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly claimMs: number;
  private readonly contactsPerTransaction: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountScoringService,
    private readonly scoring: ScoringService,
    private readonly logger: Logger,
    options: AccountScoringWorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.batch = options.batch ?? 20;
    this.claimMs = options.claimMs ?? 300_000;
    this.contactsPerTransaction = options.contactsPerTransaction ?? 1_000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.polling) return;
      this.polling = (async () => {
        // A full batch means more may be due: keep going without waiting for the next tick.
        while ((await this.runOnce()) >= this.batch && this.timer);
      })()
        .catch((error: unknown) => this.logger.error({ err: error }, 'account scoring worker failed'))
        .finally(() => {
          this.polling = null;
        });
    }, this.pollMs);
  }

  /** Stops polling (a drain in progress ends after its batch) and waits for the poll in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** One poll: collects the accounts logged stale, then runs the due work it claims. Returns how many rows it ran. */
  async runOnce(): Promise<number> {
    await this.dataSource.transaction((manager) => collectLoggedAccounts(manager));
    const claims = await this.dataSource.transaction((manager) => claimPending(manager, this.batch, this.claimMs));
    for (const claim of claims) {
      try {
        if (claim.kind === 'account') await this.recomputeAccount(claim);
        else await this.rescoreContacts(claim);
      } catch (error) {
        // The claim expires and the row is taken again.
        this.logger.error({ err: error, accountId: claim.accountId, kind: claim.kind }, 'deferred account scoring failed');
      }
    }
    return claims.length;
  }

  private recomputeAccount(claim: PendingClaim): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await this.accounts.recompute(manager, [claim.accountId], {
        cause: claim.cause,
        asOf: new Date(),
        skipLocked: false,
        bigAccounts: 'read',
      });
      await finishPending(manager, claim, this.accounts.debounceMs);
    });
  }

  private async rescoreContacts(claim: PendingClaim): Promise<void> {
    let after = claim.afterLeadId;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        const ids = await contactIdsAfter(manager, claim.accountId, after, this.contactsPerTransaction);
        if (ids.length === 0) {
          await finishPending(manager, claim, this.accounts.debounceMs);
          return true;
        }
        await this.scoring.scoreLeads(manager, ids, 'account_changed', new Date());
        after = ids[ids.length - 1];
        await advancePending(manager, claim, after, this.claimMs);
        return false;
      });
      if (done) return;
    }
  }
}
