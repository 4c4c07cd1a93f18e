import type { EntityManager } from 'typeorm';
import { arrayLiteral } from '../engine/array-literal';
import { accountFactsRow } from '../engine/account-facts';
import { wholeDaysBetween } from '../engine/facts';
import { computeScore } from '../engine/grading';
import type { RuleSetService, ActiveRuleSet } from '../rulesets/ruleset.service';

import type { ScoreCause } from '../scoring/score-history.entity';
import type { ScoringService } from '../scoring/scoring.service';
import { accountReasons } from './account-scoring-reasons';
import type { ModelScoreRow } from '../scoring/models/model-score-store';
import {
  type AccountScoreWrite,
  type AccountToScore,
  readAccountsToScore,
  readStoredAccountScores,
  writeAccountScores,
  writeOf,
} from './account-score-rows';
import {
  type AccountForScoring,
  lockAccounts,
  lockAccountsOfLeads,
  lockContacts,
  readBigAccountForScoring,
  type PendingRequest,
  requestPending,
} from './account-scoring-store';

/** The account model that `source: 'account'` lead facts read and accounts order by (score_model.is_default for accounts). */
export const DEFAULT_ACCOUNT_MODEL = 'account';

export const ACCOUNT_SCORING_LIMITS = {
  /** Accounts with more contacts are not recomputed inside a request or a re-score chunk, but by the worker. */
  inlineContacts: 2_000,
  /** Contacts read by one statement (accounts are grouped up to this many), and per page of a big account. */
  contactsPerRead: 5_000,
  /** Contacts re-scored inline after their account's score changed (more: the worker does it). */
  inlineContactRescore: 500,
  /** Contacts the scoring follower reads in all for one scoring call (a batch of 1,000 leads in as many accounts). */
  followerContacts: 20_000,
} as const;

export interface AccountScoringOptions {
  /** How long deferred work waits for more requests before a worker takes it (default 1 s). */
  debounceMs?: number;
}

/** How a recompute treats what it cannot do at once. */
export interface RecomputeOptions {
  cause: ScoreCause;
  asOf: Date;
  /** Only these account models (default: every account model with an active rule set). */
  models?: readonly string[];
  /**
   * Leave accounts another transaction holds to the worker instead of waiting (callers holding
   * leads' locks: see lockAccounts).
   */
  skipLocked: boolean;
  /** Accounts with more than inlineContacts contacts: deferred to the worker, or read page by page (the worker). */
  bigAccounts: 'defer' | 'read';
  /** At most this many contacts read in all (a request's bound); accounts past it go to the worker. Default: no bound. */
  contactBudget?: number;
  /** A full re-score job's version: scores only it would change are left for the job's carry (writeOf). */
  carryTo?: string;
}

export interface RecomputeResult {
  scored: number;
  changed: number;
  /** Accounts left to the worker (too big, or held by another transaction). */
  deferred: number;
}

/** Lead-visible fields of an account score: what `source: 'account'` lead facts read. */
const LEAD_VISIBLE = ['fit', 'engagement', 'total', 'fitGrade', 'engagementLevel', 'cell', 'band', 'qualified'] as const;

/**
 * Scores accounts in the account models: each account's attributes and contacts read set-based
 * under the account's lock, shaped by the engine's accountFactsRow, evaluated by the model's active
 * default rule set (accounts have no segment), graded like leads, stored in model_score with
 * reasons naming the contacts. When an account's score in the default account model changes and
 * a lead rule set reads it, its contacts are re-scored (cause 'account_changed').
 */
export class AccountScoringService {
  readonly debounceMs: number;

  constructor(
    private readonly ruleSets: RuleSetService,
    private readonly scoring: ScoringService,
    options: AccountScoringOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 1_000;
  }

  /** The default rule set of every account model that has one active. */
  async accountRuleSets(manager: EntityManager, models?: readonly string[]): Promise<ActiveRuleSet[]> {
    const active = await this.ruleSets.activeRuleSets(manager, null);
    return active.filter((ruleSet) => ruleSet.subject === 'account' && ruleSet.isDefault && (!models || models.includes(ruleSet.model)));
  }

  /** Scores these accounts in one model (the design's entry point; a re-score job's chunk). */
  async scoreAccounts(
    manager: EntityManager,
    model: string,
    accountIds: readonly string[],
    cause: ScoreCause,
    asOf: Date,
    carryTo?: string,
  ) {
    // Another process may just have published the model's first version.
    if ((await this.accountRuleSets(manager, [model])).length === 0) this.ruleSets.invalidate();
    return this.recompute(manager, accountIds, { cause, asOf, models: [model], skipLocked: false, bigAccounts: 'defer', carryTo });
  }

  /** Recomputes these accounts' scores (see RecomputeOptions), under their row locks. */
  async recompute(manager: EntityManager, accountIds: readonly string[], options: RecomputeOptions): Promise<RecomputeResult> {
    const ruleSets = await this.accountRuleSets(manager, options.models);
    if (ruleSets.length === 0 || accountIds.length === 0) return { scored: 0, changed: 0, deferred: 0 };
    const lock = await lockAccounts(manager, [...new Set(accountIds)], {
      skipLocked: options.skipLocked,
      cap: ACCOUNT_SCORING_LIMITS.inlineContacts + 1,
    });
    return this.scoreLocked(manager, ruleSets, lock, options);
  }

  /**
   * Recomputes the accounts of these just-scored leads, and those the transaction made stale
   * otherwise (see lockAccountsOfLeads; the scoring follower, skipping accounts others hold).
   */
  async recomputeForLeads(manager: EntityManager, leadIds: readonly string[], options: Omit<RecomputeOptions, 'skipLocked'>) {
    const ruleSets = await this.accountRuleSets(manager, options.models);
    if (ruleSets.length === 0 || leadIds.length === 0) return { scored: 0, changed: 0, deferred: 0 };
    const lock = await lockAccountsOfLeads(manager, leadIds, ACCOUNT_SCORING_LIMITS.inlineContacts + 1);
    return this.scoreLocked(manager, ruleSets, lock, { ...options, skipLocked: true });
  }

  /** Scores the locked accounts: small ones read in groups, big ones deferred or read page by page, busy ones deferred. */
  private async scoreLocked(
    manager: EntityManager,
    ruleSets: readonly ActiveRuleSet[],
    { locked, contacts: counts, busy }: { locked: string[]; contacts: Map<string, number>; busy: string[] },
    options: RecomputeOptions,
  ): Promise<RecomputeResult> {
    const result: RecomputeResult = { scored: 0, changed: 0, deferred: 0 };
    // Accounts left to the worker: those another transaction holds at once, big ones after the debounce.
    const deferred: PendingRequest[] = busy.map((accountId) => ({ accountId, cause: options.cause, delayMs: 0 }));

    const small: string[] = [];
    const big: string[] = [];
    let budget = options.contactBudget ?? Number.POSITIVE_INFINITY;
    for (const id of locked) {
      const count = counts.get(id) ?? 0;
      if (count > ACCOUNT_SCORING_LIMITS.inlineContacts) big.push(id);
      else if (count > budget) deferred.push({ accountId: id, cause: options.cause, delayMs: 0 });
      else {
        small.push(id);
        budget -= count;
      }
    }
    const attributeNames = contactAttributes(ruleSets);
    const changedDefault: string[] = [];
    const models = ruleSets.map((ruleSet) => ruleSet.model);
    const score = async (accounts: AccountToScore[]) => {
      const outcome = await this.scoreAndStore(manager, ruleSets, accounts, options);
      result.scored += accounts.length;
      result.changed += outcome.changed;
      changedDefault.push(...outcome.changedDefault);
    };
    for (const chunk of chunksByContacts(small, counts)) {
      await score(await readAccountsToScore(manager, chunk, attributeNames, ACCOUNT_SCORING_LIMITS.inlineContacts + 1, models));
    }
    if (options.bigAccounts === 'defer') {
      deferred.push(...big.map((accountId) => ({ accountId, cause: options.cause, delayMs: this.debounceMs })));
    } else {
      for (const id of big) {
        const account = await readBigAccountForScoring(manager, id, attributeNames, ACCOUNT_SCORING_LIMITS.contactsPerRead);
        if (account) await score([{ ...account, stored: await readStoredAccountScores(manager, id, models) }]);
      }
    }
    await requestPending(manager, deferred, 'account');
    // A job's carry must not reach accounts it left to the worker: their rows keep naming the version
    // that computed them until the worker writes them (a fresh write_seq puts them past the carry).
    if (options.carryTo !== undefined && deferred.length > 0)
      await manager.query('UPDATE model_score SET write_seq = DEFAULT WHERE model = ANY($1::text[]) AND subject_id = ANY($2::bigint[])', [
        arrayLiteral(models),
        arrayLiteral(deferred.map((request) => request.accountId)),
      ]);
    result.deferred = deferred.length;
    if (changedDefault.length > 0 && options.cause !== 'account_changed' && (await this.leadRuleSetsReadAccountScores(manager))) {
      await this.rescoreContacts(manager, changedDefault, options.asOf);
    }
    return result;
  }

  /**
   * Re-scores the contacts of accounts whose default score changed, with cause 'account_changed'
   * (their followers do not recompute the account again): inline up to inlineContactRescore
   * contacts in all, skipping contacts another transaction holds; the rest goes to the worker.
   */
  async rescoreContacts(manager: EntityManager, accountIds: readonly string[], asOf: Date): Promise<void> {
    let budget: number = ACCOUNT_SCORING_LIMITS.inlineContactRescore;
    const later: string[] = [];
    const now: string[] = [];
    for (const accountId of accountIds) {
      if (budget <= 0) {
        later.push(accountId);
        continue;
      }
      const { locked, total } = await lockContacts(manager, [accountId], budget);
      if (locked.length < total) later.push(accountId);
      now.push(...locked);
      budget -= locked.length;
    }
    if (now.length > 0) await this.scoring.scoreLeads(manager, now, 'account_changed', asOf);
    await requestPending(
      manager,
      later.map((accountId) => ({ accountId, cause: 'account_changed' as const, delayMs: this.debounceMs })),
      'contacts',
    );
  }

  /** Whether an active lead rule set reads its lead's account score (`source: 'account'` facts). */
  async leadRuleSetsReadAccountScores(manager: EntityManager): Promise<boolean> {
    const active = await this.ruleSets.activeRuleSets(manager, null);
    return active.some((ruleSet) => ruleSet.subject === 'lead' && ruleSet.definition.facts.some((fact) => fact.source === 'account'));
  }

  /**
   * Scores the accounts in every rule set and writes what differs from their stored scores; returns
   * how many changed, and which changed in the default model's lead-visible fields.
   */
  private async scoreAndStore(
    manager: EntityManager,
    ruleSets: readonly ActiveRuleSet[],
    accounts: readonly AccountToScore[],
    options: RecomputeOptions,
  ): Promise<{ changed: number; changedDefault: string[] }> {
    const writes: AccountScoreWrite[] = [];
    const changedDefault: string[] = [];
    let changed = 0;
    for (const ruleSet of ruleSets) {
      for (const account of accounts) {
        const write = writeOf(
          account.stored.get(ruleSet.model) ?? null,
          await scoreAccount(ruleSet, account, options.asOf),
          options.carryTo,
        );
        if (!write) continue;
        writes.push(write);
        if (!write.changed) continue;
        changed += 1;
        const { before, after } = write;
        if (after.model === DEFAULT_ACCOUNT_MODEL && (before === null || LEAD_VISIBLE.some((f) => before[f] !== after[f])))
          changedDefault.push(after.subjectId);
      }
    }
    await writeAccountScores(manager, writes, options.cause, options.asOf);
    return { changed, changedDefault };
  }
}

/** One account's score in one rule set. */
export async function scoreAccount(ruleSet: ActiveRuleSet, account: AccountForScoring, asOf: Date): Promise<ModelScoreRow> {
  const { definition } = ruleSet;
  const { facts, contributors } = accountFactsRow(definition, { attributes: account.attributes }, account.contacts, asOf);
  const evaluated = ruleSet.evaluator.evaluate(facts);
  const fired = Array.isArray(evaluated) ? evaluated : await evaluated;
  let lastActivity: number | null = null;
  for (const contact of account.contacts) {
    const at = contact.lastActivityAt?.getTime();
    if (at !== undefined && (lastActivity === null || at > lastActivity)) lastActivity = at;
  }
  // Decay counts whole days without any contact's activity, or since the account was created (as for a lead).
  const outcome = computeScore(definition, fired, wholeDaysBetween(lastActivity ?? account.createdAt, asOf), { reasons: true });
  return {
    model: ruleSet.model,
    subjectId: account.accountId,
    ruleSetVersionId: ruleSet.versionId,
    ruleSetKey: ruleSet.key,
    ruleSetVersion: ruleSet.version,
    fit: outcome.fit,
    engagement: outcome.engagement,
    total: outcome.total,
    fitGrade: outcome.fitGrade,
    engagementLevel: outcome.engagementLevel,
    cell: outcome.cell,
    band: outcome.band,
    qualified: outcome.qualified,
    action: outcome.action,
    actionLabel: outcome.actionLabel,
    reasons: accountReasons(definition, outcome.reasons, contributors),
    lastActivityAt: lastActivity === null ? null : new Date(lastActivity),
  };
}

/** The contact attributes the rule sets' contacts facts read. */
function contactAttributes(ruleSets: readonly ActiveRuleSet[]): string[] {
  const names = new Set<string>();
  for (const ruleSet of ruleSets)
    for (const fact of ruleSet.definition.facts) if (fact.source === 'contacts' && fact.attribute) names.add(fact.attribute);
  return [...names];
}

/** Accounts grouped so that one read brings at most contactsPerRead contacts (an account always fits alone). */
function chunksByContacts(accountIds: readonly string[], counts: ReadonlyMap<string, number>): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let contacts = 0;
  for (const id of accountIds) {
    const count = counts.get(id) ?? 0;
    if (chunk.length > 0 && contacts + count > ACCOUNT_SCORING_LIMITS.contactsPerRead) {
      chunks.push(chunk);
      chunk = [];
      contacts = 0;
    }
    chunk.push(id);
    contacts += count;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
