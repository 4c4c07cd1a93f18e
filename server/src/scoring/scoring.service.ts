import type { EntityManager } from 'typeorm';
import { metrics } from '../observability/metrics';
import type { ScoreChangeListener, ScoreTransition } from './score-events';
import type { ScoreFollower } from './models/score-follower';
import type { ComputedScores, ScoreComputation, StoredBasis } from './score-computation';
import type { ScoreCause } from './score-history.entity';
import { beforeOf, scoreSignature } from './score-signature';
import { lockLeads, readForScoring, touchAndWrite, touchScores, writeChanged } from './score-store';
import type { ScorePassResult, StoredScore } from './stored-score';

/** Leads a writer has just written (created, updated, or recorded activities of), under their row locks. */
export interface WrittenLeads {
  leadIds: readonly string[];
  cause: ScoreCause;
  /** Default: now. */
  asOf?: Date;
  /**
   * Each lead's segment as the writer knows it under the lock, when it has voided every lead's
   * cached aggregates (new activities, new leads): each lead is then read with its aggregates in one
   * statement per rule set instead of two.
   */
  segments?: ReadonlyMap<string, string | null>;
  /** The activity that caused each lead's re-score, kept in its history entry. */
  activityIds?: ReadonlyMap<string, string>;
}

/** Leads a pass re-scores while expecting most to keep their fired rules: a publish's re-score, the decay pass. */
export type CarryCause = Extract<ScoreCause, 'rule_set_published' | 'decay'>;

/** How rescoreWithCarry stores. */
export interface CarryOptions {
  /**
   * The version a full re-score job of its rule set scores with; its completion records the carry
   * (score_carry) through which rows left unwritten read as this version. With it, a lead that this
   * version gives the same score (signature, days inactive) from its stored row's cached aggregates,
   * its lead row unchanged, keeps its row as it is instead of having it touched.
   */
  carryTo?: string;
}

const CHUNK_SIZE = 5000;

/**
 * Re-scores leads and stores the result, per chunk, through three entry points:
 * - scoreAfterWrite: the caller has just written the leads and holds their row locks;
 * - rescoreWithCarry: a pass over leads most of which keep their fired rules (carry-plan.ts);
 * - scoreLeads: score these leads now, from what is stored.
 * The last two lock the leads first. Every lead is locked before it is read, so no lead is scored
 * from a mix of versions and no re-score loses another's update. A score the lead would see as the
 * same (its signature) only gets its version, times, days inactive and cached facts moved (or, in a
 * full re-score job, keeps its row as it is: see CarryOptions); a changed
 * score is written in full with a score_history entry naming the cause, and raised to the listeners.
 */
export class ScoringService {
  private readonly listeners: ScoreChangeListener[] = [];
  private readonly followers: ScoreFollower[] = [];

  constructor(private readonly computation: ScoreComputation) {}

  /** Listeners run inside the scoring transaction (the webhook outbox is written there). */
  addChangeListener(listener: ScoreChangeListener): void {
    this.listeners.push(listener);
  }

  /** Followers score the other models of the leads just scored, inside the same transaction (models/score-follower.ts). */
  addFollower(follower: ScoreFollower): void {
    this.followers.push(follower);
  }

  private async follow(manager: EntityManager, leadIds: readonly string[], cause: ScoreCause, asOf: Date): Promise<void> {
    for (const follower of this.followers) await follower.afterScoring(manager, leadIds, cause, asOf);
  }

  /** After a write under the leads' row locks (taken by an earlier statement): the scores as stored, with their reasons. */
  async scoreAfterWrite(manager: EntityManager, written: WrittenLeads): Promise<ScorePassResult & { scores: StoredScore[] }> {
    const asOf = written.asOf ?? new Date();
    const { segments } = written;
    const scores: StoredScore[] = [];
    const result = await this.inChunks(written.leadIds, written.cause, async (chunk) => {
      const computed =
        segments && chunk.every((id) => segments.has(id))
          ? await this.computation.computeWithFreshFacts(manager, chunk, segments, asOf)
          : await this.computation.computeFromRows(manager, await readForScoring(manager, chunk, { carry: false, serial: false }), asOf, {
              carry: false,
              reasons: true,
            });
      scores.push(...computed.next);
      return this.store(manager, computed, written.cause, asOf, written.activityIds);
    });
    await this.follow(manager, written.leadIds, written.cause, asOf);
    return { ...result, scores };
  }

  /**
   * Re-scores leads expected to keep their stored fired rules: a lead whose row is the version its
   * score was computed from, whose cached aggregates hold and whose time-dependent facts read the
   * same, scored by a version with the stored score's facts and rules' conditions, gets its fired
   * rules carried over instead of evaluated; attributes are read only for the leads evaluated.
   */
  async rescoreWithCarry(
    manager: EntityManager,
    leadIds: readonly string[],
    cause: CarryCause,
    asOf = new Date(),
    options: CarryOptions = {},
  ): Promise<ScorePassResult> {
    const result = await this.inChunks(leadIds, cause, async (chunk) => {
      await lockLeads(manager, chunk);
      const rows = await readForScoring(manager, chunk, { carry: true, serial: true });
      const computed = await this.computation.computeFromRows(manager, rows, asOf, { carry: true, reasons: false });
      return this.store(manager, computed, cause, asOf, undefined, options.carryTo);
    });
    // A publish of the default model re-scores that model only; decay moves every model.
    if (cause === 'decay') await this.follow(manager, leadIds, cause, asOf);
    return result;
  }

  /** Scores these leads now from what is stored (their cached aggregates where they hold). */
  async scoreLeads(manager: EntityManager, leadIds: readonly string[], cause: ScoreCause, asOf = new Date()): Promise<ScorePassResult> {
    const result = await this.inChunks(leadIds, cause, async (chunk) => {
      await lockLeads(manager, chunk);
      const rows = await readForScoring(manager, chunk, { carry: false, serial: true });
      return this.store(
        manager,
        await this.computation.computeFromRows(manager, rows, asOf, { carry: false, reasons: false }),
        cause,
        asOf,
      );
    });
    await this.follow(manager, leadIds, cause, asOf);
    return result;
  }

  /** Runs `scoreChunk` over the leads a chunk at a time, counting what it scored and changed. */
  private async inChunks(
    leadIds: readonly string[],
    cause: ScoreCause,
    scoreChunk: (chunk: readonly string[]) => Promise<number>,
  ): Promise<ScorePassResult> {
    let leadsChanged = 0;
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE)
      leadsChanged += await scoreChunk(leadIds.slice(start, start + CHUNK_SIZE));
    metrics.scoresComputed.inc({ cause }, leadIds.length);
    metrics.scoresChanged.inc({ cause }, leadsChanged);
    return { leadsScored: leadIds.length, leadsChanged };
  }

  /**
   * Stores computed scores: those that show the same (signature) are touched (or, with `carryTo`,
   * left as they are where leftUnwritten allows), the others written with their history and raised
   * to the listeners. Returns how many changed.
   */
  private async store(
    manager: EntityManager,
    { previous, next, stored }: ComputedScores,
    cause: ScoreCause,
    asOf: Date,
    activityIds?: ReadonlyMap<string, string>,
    carryTo?: string,
  ): Promise<number> {
    const changed: StoredScore[] = [];
    const signatures: string[] = [];
    const same: StoredScore[] = [];
    for (const score of next) {
      const signature = scoreSignature(score);
      if (previous.get(score.leadId) === signature) {
        if (carryTo !== undefined && leftUnwritten(score, carryTo, stored?.get(score.leadId))) continue;
        same.push(score);
      } else {
        changed.push(score);
        signatures.push(signature);
      }
    }
    if (changed.length === 0) {
      if (same.length > 0) await touchScores(manager, same, asOf);
      return 0;
    }
    const write = { scores: changed, signatures, cause, activityIds, asOf };
    if (same.length > 0) await touchAndWrite(manager, same, asOf, write);
    else await writeChanged(manager, write);
    if (this.listeners.length > 0) {
      const transitions = changed.map((score): ScoreTransition => {
        const before = previous.get(score.leadId);
        return {
          leadId: score.leadId,
          before: before === undefined ? null : beforeOf(before),
          after: {
            qualified: score.qualified,
            action: score.action,
            total: score.total,
            cell: score.cell,
            band: score.band,
            ruleSetKey: score.ruleSetKey,
            ruleSetVersion: score.ruleSetVersion,
          },
        };
      });
      for (const listener of this.listeners) await listener.recordTransitions(manager, transitions, asOf);
    }
    return changed.length;
  }
}

/**
 * Whether a score equal (signature) to the stored one may leave its row unwritten: computed by the
 * job's version from the row's own cached aggregates (so its facts columns stand), by the rule set
 * that wrote the row (so the job's carry applies to it), with the same days inactive. Its version
 * then resolves through the job's carry; its scored_at stays that of the aggregates it was computed from.
 */
function leftUnwritten(score: StoredScore, carryTo: string, basis: StoredBasis | undefined): boolean {
  return (
    basis !== undefined &&
    score.ruleSetVersionId === carryTo &&
    score.ruleSetKey === basis.ruleSetKey &&
    score.compact.daysInactive === basis.daysInactive &&
    score.facts?.reused === true
  );
}
