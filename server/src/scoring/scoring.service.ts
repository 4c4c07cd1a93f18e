import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../db/prepared';
import { arrayLiteral, type ArrayElement } from '../engine/array-literal';
import type { ActiveRuleSet, RuleSetService } from '../rulesets/ruleset.service';
import { cacheHolds, factsShaper, wholeDaysBetween, type ActivityValues, type CachedFacts, type FactsRow, type LeadColumns } from '../engine/facts';
import { computeScore, expandReasons, type CompactReasons, type ScoreOutcome, type ScoreReason } from '../engine/grading';
import { metrics } from '../observability/metrics';
import { carryIndexes, carryPlan, rulesAsFired, timeFactsUnchanged, type CarryPlan } from '../engine/carry-plan';
import type { FiredRule } from '../engine/rule-engine';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import type { ScoreCause } from './score-history.entity';
import type { ScoreTransition } from '../webhooks/webhook-events';

/** A lead's stored score, as read from lead_score. */
export interface StoredScore {
  leadId: string;
  ruleSetVersionId: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  fit: number;
  engagement: number;
  total: number;
  fitGrade: string;
  engagementLevel: number;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  actionLabel: string;
  /** Expanded from `compact` with the version's rules. */
  reasons: ScoreReason[];
  compact: CompactReasons;
  scoredAt: Date;
  lastActivityAt: Date | null;
  /** The version (xmin) of the lead row the score was computed from (only on scores just computed). */
  leadXmin?: string | null;
  /** The activity aggregates the score was computed from, cached with it (only on scores just computed). */
  facts?: {
    key: string;
    /** The aggregates; with `text` (carried over as stored), only those the carry read (the others are holes). */
    values: ActivityValues;
    /** The aggregates as stored (formatFacts), when taken over unparsed. */
    text?: string;
    validUntil: Date | null;
    reused: boolean;
  };
}

/** A lead_score row as read, before its reasons are expanded. */
type ScoreRow = Omit<StoredScore, 'reasons' | 'compact'> & CompactReasons;

export interface ScoreSnapshotRow {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}

export interface ScoreChangeRow {
  id: string;
  cause: string;
  changedAt: Date;
  activityId: string | null;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: ScoreSnapshotRow | null;
  new: ScoreSnapshotRow;
}

export interface ScoreChangeListener {
  recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<unknown>;
}

export interface ScorePassResult {
  leadsScored: number;
  leadsChanged: number;
}

export interface ScoreLeadsOptions {
  asOf?: Date;
  /** The activity that caused each lead's re-score, kept in its history entry. */
  activityIds?: Map<string, string>;
  /** The caller already holds these leads' row locks (FOR UPDATE), taken by an earlier statement of this transaction. */
  locked?: boolean;
  /** Hand back the scores as stored (with their reasons), e.g. to answer the request that caused them. */
  returnScores?: boolean;
  /**
   * With `locked`: each lead's segment as the caller knows it under the lock, from a caller that has
   * just written the leads' activities or created the leads (either way no cached aggregate can be
   * used). The leads' rule sets are then known before reading, and each lead is read with its score's
   * signature and its aggregates in one statement per rule set instead of two.
   */
  segments?: ReadonlyMap<string, string | null>;
  /**
   * Most of these leads are expected to keep their stored fired rules (a publish's re-score, the
   * decay pass): a lead whose row is the version its score was computed from, whose cached aggregates
   * hold and whose time-dependent facts read the same, scored by a version with the stored score's
   * facts and rules' conditions, gets its fired rules carried over (carry-plan.ts) instead of
   * evaluated; attributes are read only for the leads that must be evaluated.
   */
  carryFirst?: boolean;
}

export const SCORE_COLUMNS = `
  lead_id::text AS "leadId", rule_set_version_id::text AS "ruleSetVersionId", rule_set_key AS "ruleSetKey",
  rule_set_version AS "ruleSetVersion", fit, engagement, total, fit_grade AS "fitGrade",
  engagement_level::int AS "engagementLevel", cell, band, qualified, action, action_label AS "actionLabel",
  fired_rules::int[] AS "firedRules", cap_fit AS "capFit", cap_engagement AS "capEngagement", decay,
  days_inactive AS "daysInactive", scored_at AS "scoredAt", last_activity_at AS "lastActivityAt"`;

const CHUNK_SIZE = 5000;

function toStored(leadId: string, ruleSet: ActiveRuleSet, outcome: ScoreOutcome, asOf: Date, lastActivityAt: Date | null): StoredScore {
  return {
    leadId,
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
    reasons: outcome.reasons,
    compact: outcome.compact,
    scoredAt: asOf,
    lastActivityAt,
  };
}

/**
 * Computes and stores scores, set-based, per chunk of leads: one read of the leads with their stored
 * scores and cached activity aggregates, one facts query per rule set for the leads whose cache does
 * not hold, one update of unchanged scores, one statement writing changed scores and their history.
 * Callers pass the transaction's manager.
 */
export class ScoringService {
  private readonly listeners: ScoreChangeListener[] = [];
  /** carryPlan by `fromVersionId>toVersionId` (versions that scored leads are immutable). */
  private readonly plans = new Map<string, CarryPlan | null>();

  constructor(private readonly ruleSets: RuleSetService) {}

  /** Listeners run inside the scoring transaction (the webhook outbox is written there). */
  addChangeListener(listener: ScoreChangeListener): void {
    this.listeners.push(listener);
  }

  async currentScores(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, StoredScore>> {
    if (leadIds.length === 0) return new Map();
    const rows: ScoreRow[] = await manager.query(`SELECT ${SCORE_COLUMNS} FROM lead_score WHERE lead_id = ANY($1::bigint[])`, [leadIds]);
    return new Map((await this.expand(manager, rows)).map((score) => [score.leadId, score]));
  }

  /** Rows of lead_score (as SCORE_COLUMNS or `to_jsonb(s)` names them) to scores with their reasons. */
  async expand(manager: EntityManager, rows: Array<ScoreRow | Record<string, unknown>>): Promise<StoredScore[]> {
    const normalised = rows.map((row) => ('leadId' in row ? (row as ScoreRow) : scoreRowFromJson(row as Record<string, unknown>)));
    const definitions = await this.ruleSets.definitionsOf(
      manager,
      normalised.map((row) => row.ruleSetVersionId),
    );
    return normalised.map(({ firedRules, capFit, capEngagement, decay, daysInactive: days, ...score }) => {
      const compact: CompactReasons = { firedRules, capFit, capEngagement, decay, daysInactive: days };
      const definition = definitions.get(score.ruleSetVersionId);
      return { ...score, compact, reasons: definition ? expandReasons(definition, score.fit, score.engagement, compact) : [] };
    });
  }

  /** Computes scores without storing them. */
  async computeScores(manager: EntityManager, leadIds: readonly string[], asOf: Date): Promise<StoredScore[]> {
    const groups = new Map<ActiveRuleSet, string[]>();
    if (await this.segmentsUnmapped(manager)) {
      // No rule set is mapped to a segment: the default scores every lead, whatever its segment.
      groups.set(await this.ruleSets.resolveForSegment(manager, null), [...leadIds]);
    } else {
      const segments: Array<{ id: string; segment: string | null }> = await manager.query(
        'SELECT id::text AS id, segment FROM lead WHERE id = ANY($1::bigint[])',
        [leadIds],
      );
      for (const { id, segment } of segments) {
        const ruleSet = await this.ruleSets.resolveForSegment(manager, segment);
        const ids = groups.get(ruleSet);
        if (ids) ids.push(id);
        else groups.set(ruleSet, [id]);
      }
    }
    const scores: StoredScore[] = [];
    for (const [ruleSet, ids] of groups)
      scores.push(...(await this.scoreRows(ruleSet, await this.factsRows(manager, ruleSet, ids, asOf), asOf)));
    return scores;
  }

  private async segmentsUnmapped(manager: EntityManager): Promise<boolean> {
    return (await this.ruleSets.activeRuleSets(manager)).every((ruleSet) => ruleSet.segments.length === 0);
  }

  /**
   * Groups items by the rule set that scores their lead: the one mapped to the lead's segment, else
   * the default (every lead's, while no rule set is mapped to a segment).
   */
  private async byRuleSet<T>(
    manager: EntityManager,
    items: readonly T[],
    segmentOf: (item: T) => string | null,
  ): Promise<Map<ActiveRuleSet, T[]>> {
    const unmapped = await this.segmentsUnmapped(manager);
    const bySegment = new Map<string | null, ActiveRuleSet>();
    const groups = new Map<ActiveRuleSet, T[]>();
    for (const item of items) {
      const segment = unmapped ? null : segmentOf(item);
      let ruleSet = bySegment.get(segment);
      if (!ruleSet) {
        ruleSet = await this.ruleSets.resolveForSegment(manager, segment);
        bySegment.set(segment, ruleSet);
      }
      const group = groups.get(ruleSet);
      if (group) group.push(item);
      else groups.set(ruleSet, [item]);
    }
    return groups;
  }

  /**
   * The facts query of a rule set for these leads, computed from their activities; `withSignature`:
   * with each lead's stored score signature too (FactsQuery.withSignatureSql).
   */
  private factsRows(
    manager: EntityManager,
    ruleSet: ActiveRuleSet,
    ids: readonly string[],
    asOf: Date,
    withSignature = false,
  ): Promise<FactsRow[]> {
    const sql = withSignature ? ruleSet.factsQuery.withSignatureSql : ruleSet.factsQuery.sql;
    const params = ruleSet.factsQuery.params(asOf, ids);
    // Prepared for one lead (the request path), planned afresh for a chunk (bulk): see queryPrepared.
    return ids.length === 1 ? queryPrepared<FactsRow>(manager, sql, params) : manager.query(sql, params);
  }

  private async scoreRows(ruleSet: ActiveRuleSet, rows: readonly FactsRow[], asOf: Date, withReasons = true): Promise<StoredScore[]> {
    const shaper = factsShaper(ruleSet.definition);
    return this.scoreInputs(
      ruleSet,
      rows.map((row) => ({
        leadId: row.lead_id,
        leadXmin: row.lead_xmin ?? null,
        lead: row,
        activity: shaper.activityValues(row),
        lastActivityAt: row.last_activity_at ? new Date(row.last_activity_at) : null,
        validUntil: row.facts_valid_until ? new Date(row.facts_valid_until) : null,
        reused: false,
      })),
      asOf,
      withReasons,
    );
  }

  private async scoreInputs(
    ruleSet: ActiveRuleSet,
    inputs: readonly ScoringInput[],
    asOf: Date,
    withReasons: boolean,
  ): Promise<StoredScore[]> {
    const shaper = factsShaper(ruleSet.definition);
    const scores: StoredScore[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      const evaluated = ruleSet.evaluator.evaluate(shaper.shape(input.lead, input.activity, asOf));
      const fired = Array.isArray(evaluated) ? evaluated : await evaluated;
      // Decay counts whole days without activity: since the last activity, or since creation when there is none.
      const outcome = computeScore(
        ruleSet.definition,
        fired,
        wholeDaysBetween(input.lastActivityAt ?? new Date(input.lead.created_at), asOf),
        { reasons: withReasons },
      );
      const score = toStored(input.leadId, ruleSet, outcome, asOf, input.lastActivityAt);
      score.leadXmin = input.leadXmin;
      score.facts = { key: ruleSet.factsQuery.key, values: input.activity, validUntil: input.validUntil, reused: input.reused };
      scores[i] = score;
    }
    return scores;
  }

  /**
   * Scores leads for storing: locks the leads (unless the caller did), then reads each lead with its
   * stored score and cached activity facts in one query, reuses the cached facts where they still hold
   * for the rule set that scores the lead, and aggregates activities only for the others.
   */
  private async scoreForStoring(
    manager: EntityManager,
    leadIds: readonly string[],
    asOf: Date,
    locked: boolean,
    withReasons: boolean,
    segments?: ReadonlyMap<string, string | null>,
    carryFirst = false,
  ): Promise<{ previous: Map<string, string>; next: StoredScore[] }> {
    const one = leadIds.length === 1;
    if (locked && segments && leadIds.every((id) => segments.has(id)))
      return this.scoreWithFreshFacts(manager, leadIds, segments, asOf, withReasons);
    if (!locked) {
      // Locked first, read after, in two statements: a statement reads as of when it started, so one
      // that waits here for a transaction scoring the same lead would read the score and cached facts
      // from before that transaction even once it holds the lock, and store a score without its
      // activity (a lost update). The next statement sees what that transaction committed.
      const lock = 'SELECT 1 FROM lead WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE';
      await (one ? queryPrepared(manager, lock, [leadIds]) : manager.query(lock, [arrayLiteral(leadIds)]));
    }
    // Without the lock, PostgreSQL reads a chunk of leads with a parallel sequential scan when the
    // chunk is a few percent of the table: 105 ms for 5,000 of 200,000 leads, against 14 ms through the
    // primary key (measured; reading FOR SHARE instead, which rules out parallel plans, took 39-48 ms).
    // So a chunk locked here is read without parallel workers, and the caller's transaction then gets
    // its setting back. (Callers holding the locks already pass small batches: an activity request's.)
    const serial = !locked && !one;
    // Every column as text: the driver then parses nothing (no per-value type parsers, no Date
    // objects); the few numbers are converted below.
    // Leads that did not change may keep their fired rules (carry-plan.ts): their attributes are read
    // afterwards, only for those that must be evaluated (jsonb to text is a good part of this read).
    const sql = `SELECT l.id::text AS lead_id, l.xmin::text AS lead_xmin, l.email, l.segment, l.source, ${carryFirst ? CARRY_COLUMNS : 'l.attributes::text AS attributes'},
                        floor(date_part('epoch', l.created_at) * 1000)::int8::text AS created_at, ${JOINED_SCORE_COLUMNS}
                   FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
                  WHERE l.id = ANY($1::bigint[])`;
    if (serial) await manager.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const rows: JoinedRow[] = one
      ? await queryPrepared<JoinedRow>(manager, sql, [leadIds])
      : await manager.query(sql, [arrayLiteral(leadIds)]);
    if (serial) await manager.query('SET LOCAL max_parallel_workers_per_gather TO DEFAULT');
    /** Each scored lead's stored signature. */
    const previous = new Map<string, string>();
    for (const row of rows) if (row.s_signature !== null) previous.set(row.lead_id, row.s_signature);
    const groups = await this.byRuleSet(manager, rows, (row) => row.segment);
    const next: StoredScore[] = [];
    const carried = new Set<string>();
    if (carryFirst) {
      // Carried where the plan allows; the rows left get their attributes and go on below.
      const attributesNeeded = await this.carryOver(manager, groups, asOf, withReasons, next, carried);
      if (attributesNeeded.length > 0) {
        const attributes: Array<{ id: string; attributes: string }> = await manager.query(
          'SELECT id::text AS id, attributes::text AS attributes FROM lead WHERE id = ANY($1::bigint[])',
          [arrayLiteral(attributesNeeded.map((row) => row.lead_id))],
        );
        const byId = new Map(attributes.map((row) => [row.id, row.attributes]));
        for (const row of attributesNeeded) row.attributes = byId.get(row.lead_id) ?? '{}';
      }
    }
    for (const [ruleSet, group] of groups) {
      const inputs: ScoringInput[] = [];
      const misses: string[] = [];
      for (const row of group) {
        if (carried.has(row.lead_id)) continue;
        const cached = cachedFactsOf(row);
        if (cacheHolds(cached, ruleSet.factsQuery.key, asOf)) {
          inputs.push({
            leadId: row.lead_id,
            leadXmin: row.lead_xmin,
            lead: {
              email: row.email,
              segment: row.segment,
              source: row.source,
              attributes: JSON.parse(row.attributes ?? '{}') as Record<string, unknown>,
              created_at: Number(row.created_at),
            },
            activity: parseFacts(row.facts as string),
            lastActivityAt: row.s_last_activity_at === null ? null : new Date(Number(row.s_last_activity_at)),
            validUntil: cached.validUntil === null ? null : new Date(cached.validUntil),
            reused: true,
          });
        } else {
          misses.push(row.lead_id);
        }
      }
      metrics.factsCacheHits.inc(inputs.length);
      metrics.factsCacheMisses.inc(misses.length);
      next.push(...(await this.scoreInputs(ruleSet, inputs, asOf, withReasons)));
      if (misses.length > 0)
        next.push(...(await this.scoreRows(ruleSet, await this.factsRows(manager, ruleSet, misses, asOf), asOf, withReasons)));
    }
    return { previous, next };
  }

  private async planFor(manager: EntityManager, fromVersionId: string, to: ActiveRuleSet): Promise<CarryPlan | null> {
    const key = `${fromVersionId}>${to.versionId}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      const from = (await this.ruleSets.definitionsOf(manager, [fromVersionId])).get(fromVersionId);
      plan = from ? carryPlan(from, to.definition) : null;
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * Scores the rows (read with CARRY_COLUMNS) whose stored fired rules carry over to the rule set
   * that scores them (carry-plan.ts) into `next`, their ids into `carried`; returns the rows to
   * evaluate from their cached aggregates (their attributes to be read). Rows whose cache does not
   * hold are neither: their facts query reads the lead.
   */
  private async carryOver(
    manager: EntityManager,
    groups: Map<ActiveRuleSet, JoinedRow[]>,
    asOf: Date,
    withReasons: boolean,
    next: StoredScore[],
    carried: Set<string>,
  ): Promise<JoinedRow[]> {
    const evaluate: JoinedRow[] = [];
    for (const [ruleSet, group] of groups) {
      const rules = firedRulesOf(ruleSet.definition);
      for (const row of group) {
        const cached = cachedFactsOf(row);
        if (!cacheHolds(cached, ruleSet.factsQuery.key, asOf)) continue;
        // The lead row must be the version the stored fired rules were computed from.
        const sameLead = row.s_lead_xmin !== null && row.s_lead_xmin === row.lead_xmin;
        const planKey = `${row.s_version_id}>${ruleSet.versionId}`;
        // Known plans are looked up without an await (one per lead would cost a microtask each).
        const plan =
          !sameLead || row.s_version_id == null || row.s_signature === null
            ? null
            : (this.plans.get(planKey) ?? (await this.planFor(manager, row.s_version_id, ruleSet)));
        if (plan) {
          // Only the aggregates the time check reads are parsed; the rest stay text until written.
          const activity: ActivityValues = [];
          for (const index of plan.daysSinceLastIndexes) activity[index] = factAt(row.facts as string, index);
          const createdAt = Number(row.created_at);
          if (timeFactsUnchanged(plan, createdAt, activity, cached.asOf, asOf)) {
            const lastActivityAt = row.s_last_activity_at === null ? null : new Date(Number(row.s_last_activity_at));
            const firedIndexes = carryIndexes(plan, firedOf(row.s_signature as string));
            const fired = firedIndexes.map((index) => rules[index]);
            const outcome = computeScore(ruleSet.definition, fired, wholeDaysBetween(lastActivityAt ?? createdAt, asOf), {
              reasons: withReasons,
              firedIndexes,
            });
            const score = toStored(row.lead_id, ruleSet, outcome, asOf, lastActivityAt);
            score.leadXmin = row.lead_xmin;
            score.facts = {
              key: ruleSet.factsQuery.key,
              values: activity,
              text: row.facts as string,
              validUntil: cached.validUntil === null ? null : new Date(cached.validUntil),
              reused: true,
            };
            next.push(score);
            carried.add(row.lead_id);
            continue;
          }
        }
        evaluate.push(row);
      }
    }
    metrics.rulesCarried.inc(carried.size);
    metrics.factsCacheHits.inc(carried.size);
    return evaluate;
  }

  /** scoreForStoring for locked leads whose segments are known and whose cached aggregates are void (ScoreLeadsOptions.segments). */
  private async scoreWithFreshFacts(
    manager: EntityManager,
    leadIds: readonly string[],
    segments: ReadonlyMap<string, string | null>,
    asOf: Date,
    withReasons: boolean,
  ): Promise<{ previous: Map<string, string>; next: StoredScore[] }> {
    const groups = await this.byRuleSet(manager, leadIds, (id) => segments.get(id) ?? null);
    const previous = new Map<string, string>();
    const next: StoredScore[] = [];
    for (const [ruleSet, ids] of groups) {
      const rows = await this.factsRows(manager, ruleSet, ids, asOf, true);
      for (const row of rows) if (typeof row.s_signature === 'string') previous.set(row.lead_id, row.s_signature);
      metrics.factsCacheMisses.inc(rows.length);
      next.push(...(await this.scoreRows(ruleSet, rows, asOf, withReasons)));
    }
    return { previous, next };
  }

  /**
   * What scoreLeads with carryFirst (the decay pass) would compute for these leads, stored nowhere
   * and without locking them (so the caller's transaction may be read-only): each lead's score and
   * whether what it shows would change (a history entry and listeners in the real pass).
   */
  async projectScores(
    manager: EntityManager,
    leadIds: readonly string[],
    asOf: Date,
  ): Promise<Array<{ score: StoredScore; changed: boolean }>> {
    const projected: Array<{ score: StoredScore; changed: boolean }> = [];
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const { previous, next } = await this.scoreForStoring(
        manager,
        leadIds.slice(start, start + CHUNK_SIZE),
        asOf,
        true,
        false,
        undefined,
        true,
      );
      for (const score of next) projected.push({ score, changed: previous.get(score.leadId) !== scoreSignature(score) });
    }
    return projected;
  }

  /**
   * Re-scores leads as of `asOf` and stores the result. A score the lead would see as the same
   * (its signature) only gets its version, times, days inactive and cached facts moved; a changed
   * score is written in full and gets a score_history entry naming the cause.
   */
  async scoreLeads(
    manager: EntityManager,
    leadIds: readonly string[],
    cause: ScoreCause,
    options: ScoreLeadsOptions = {},
  ): Promise<ScorePassResult & { scores?: StoredScore[] }> {
    const asOf = options.asOf ?? new Date();
    let changedCount = 0;
    const computed: StoredScore[] = [];
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const chunk = leadIds.slice(start, start + CHUNK_SIZE);
      // Locks the leads (unless the caller did): serialises with every other writer of their scores,
      // so there is no lost update between two re-scores.
      const { previous, next } = await this.scoreForStoring(
        manager,
        chunk,
        asOf,
        options.locked === true,
        options.returnScores === true,
        options.segments,
        options.carryFirst === true,
      );
      if (options.returnScores) computed.push(...next);
      // Changed: what the lead's score shows differs (written in full, with a history entry). Otherwise
      // only the version, when it was computed, the days without activity and the cached facts move.
      const changed: StoredScore[] = [];
      const changedSignatures: string[] = [];
      const same: StoredScore[] = [];
      for (const score of next) {
        const signature = scoreSignature(score);
        if (previous.get(score.leadId) === signature) {
          same.push(score);
        } else {
          changed.push(score);
          changedSignatures.push(signature);
        }
      }
      if (same.length > 0) await this.touchScores(manager, same, asOf);
      if (changed.length > 0) {
        await this.writeChanged(manager, changed, changedSignatures, cause, options.activityIds, asOf);
        if (this.listeners.length) {
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
      }
      changedCount += changed.length;
    }
    metrics.scoresComputed.inc({ cause }, leadIds.length);
    metrics.scoresChanged.inc({ cause }, changedCount);
    return { leadsScored: leadIds.length, leadsChanged: changedCount, ...(options.returnScores ? { scores: computed } : {}) };
  }

  /** Scores whose signature did not change: only the version, times, days inactive and cached facts move. */
  private async touchScores(manager: EntityManager, scores: StoredScore[], asOf: Date): Promise<void> {
    // Facts reused from the cache are left as they are (null here); recomputed ones are stored.
    const fresh = scores.map((score) => score.facts !== undefined && !score.facts.reused);
    const [first] = scores;
    if (!fresh.includes(true) && scores.every((score) => score.ruleSetVersionId === first.ruleSetVersionId)) {
      // The usual publish: one version, every lead's cached facts reused. Two arrays instead of ten
      // (in psql, 34 ms instead of 47 ms for 3,333 rows), and less for the worker to build.
      await queryPrepared(
        manager,
        `UPDATE lead_score s SET rule_set_version_id = $2, rule_set_key = $3, rule_set_version = $4, scored_at = $1, days_inactive = u.days_inactive,
                lead_xmin = u.lead_xmin
           FROM unnest($5::bigint[], $6::int[], $7::xid[]) AS u(lead_id, days_inactive, lead_xmin)
          WHERE s.lead_id = u.lead_id`,
        [
          asOf,
          first.ruleSetVersionId,
          first.ruleSetKey,
          first.ruleSetVersion,
          arrayLiteral(scores.map((score) => score.leadId)),
          arrayLiteral(scores.map((score) => score.compact.daysInactive)),
          arrayLiteral(scores.map((score) => score.leadXmin ?? null)),
        ],
      );
      return;
    }
    const [keys, facts, validUntil] = factsColumns(scores, fresh);
    await queryPrepared(
      manager,
      `UPDATE lead_score s SET rule_set_version_id = u.version_id, rule_set_key = u.key, rule_set_version = u.version,
              scored_at = $1, days_inactive = u.days_inactive, lead_xmin = u.lead_xmin,
              last_activity_at = CASE WHEN u.fresh THEN u.last_activity_at ELSE s.last_activity_at END,
              facts_key = CASE WHEN u.fresh THEN u.facts_key ELSE s.facts_key END,
              facts = CASE WHEN u.fresh THEN u.facts ELSE s.facts END,
              facts_valid_until = CASE WHEN u.fresh THEN u.facts_valid_until ELSE s.facts_valid_until END
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::int[], $7::boolean[], $8::timestamptz[],
                     $9::text[], $10::text[], $11::bigint[], $12::xid[])
              AS u(lead_id, version_id, key, version, days_inactive, fresh, last_activity_at, facts_key, facts, facts_valid_until, lead_xmin)
        WHERE s.lead_id = u.lead_id`,
      [
        asOf,
        arrayLiteral(scores.map((score) => score.leadId)),
        arrayLiteral(scores.map((score) => score.ruleSetVersionId)),
        arrayLiteral(scores.map((score) => score.ruleSetKey)),
        arrayLiteral(scores.map((score) => score.ruleSetVersion)),
        arrayLiteral(scores.map((score) => score.compact.daysInactive)),
        arrayLiteral(fresh),
        arrayLiteral(scores.map((score, i) => (fresh[i] ? score.lastActivityAt : null))),
        arrayLiteral(keys),
        arrayLiteral(facts),
        arrayLiteral(validUntil),
        arrayLiteral(scores.map((score) => score.leadXmin ?? null)),
      ],
    );
  }

  /**
   * Changed scores (with their signatures): one statement writes their history entries (the old
   * values read from lead_score as they were before it) and upserts the new scores.
   */
  private async writeChanged(
    manager: EntityManager,
    scores: StoredScore[],
    signatures: string[],
    cause: ScoreCause,
    activityIds: Map<string, string> | undefined,
    asOf: Date,
  ): Promise<void> {
    const column = (pick: (score: StoredScore) => ArrayElement) => arrayLiteral(scores.map(pick));
    const [first] = scores;
    if (!activityIds && scores.every((score) => score.facts?.reused === true && score.ruleSetVersionId === first.ruleSetVersionId)) {
      // The usual publish: one version, every lead's cached aggregates reused (so its score row exists
      // and keeps its facts columns as they are). The version as scalars, no facts columns, an update.
      await queryPrepared(
        manager,
        `WITH s AS (
           SELECT * FROM unnest($6::bigint[], $7::int[], $8::int[], $9::int[], $10::text[], $11::int[], $12::text[], $13::text[],
                       $14::boolean[], $15::text[], $16::text[], $17::text[], $18::int[], $19::int[], $20::int[], $21::int[],
                       $22::text[], $23::xid[])
             AS s(lead_id, fit, engagement, total, grade, level, cell, band, qualified, action, action_label, fired,
                  cap_fit, cap_engagement, decay, days_inactive, signature, lead_xmin)
         ), history AS (
           ${HISTORY_INSERT}
           SELECT s.lead_id, $5, $2, NULL, ${HISTORY_VALUES}, $1
             FROM s JOIN lead_score o ON o.lead_id = s.lead_id
         )
         UPDATE lead_score l SET
           rule_set_version_id = $2, rule_set_key = $3, rule_set_version = $4, fit = s.fit, engagement = s.engagement,
           total = s.total, fit_grade = s.grade, engagement_level = s.level, cell = s.cell, band = s.band,
           qualified = s.qualified, action = s.action, action_label = s.action_label,
           fired_rules = string_to_array(s.fired, ',')::smallint[], cap_fit = s.cap_fit, cap_engagement = s.cap_engagement,
           decay = s.decay, days_inactive = s.days_inactive, scored_at = $1, signature = s.signature, lead_xmin = s.lead_xmin
          FROM s WHERE l.lead_id = s.lead_id`,
        [
          asOf,
          first.ruleSetVersionId,
          first.ruleSetKey,
          first.ruleSetVersion,
          cause,
          column((s) => s.leadId),
          ...shownColumns(scores),
          arrayLiteral(signatures),
          column((s) => s.leadXmin ?? null),
        ],
      );
      return;
    }
    // Parallel arrays through unnest: much cheaper to send and parse than one JSON document per row.
    await queryPrepared(
      manager,
      `WITH s AS (
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[],
                     $9::int[], $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::text[],
                     $16::int[], $17::int[], $18::int[], $19::int[], $21::timestamptz[], $22::text[], $23::text[],
                     $24::bigint[], $25::bigint[], $27::text[], $28::xid[])
           AS s(lead_id, version_id, key, version, fit, engagement, total, grade, level, cell, band, qualified, action,
                action_label, fired, cap_fit, cap_engagement, decay, days_inactive, last_activity_at, facts_key, facts,
                facts_valid_until, activity_id, signature, lead_xmin)
       ), history AS (
         ${HISTORY_INSERT}
         SELECT s.lead_id, CASE WHEN o.lead_id IS NULL THEN 'lead_created' ELSE $26 END, s.version_id, s.activity_id,
                ${HISTORY_VALUES}, $20
           FROM s LEFT JOIN lead_score o ON o.lead_id = s.lead_id
       )
       INSERT INTO lead_score (lead_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
                               fit_grade, engagement_level, cell, band, qualified, action, action_label, fired_rules,
                               cap_fit, cap_engagement, decay, days_inactive, scored_at, last_activity_at,
                               facts_key, facts, facts_valid_until, signature, lead_xmin)
       SELECT s.lead_id, s.version_id, s.key, s.version, s.fit, s.engagement, s.total, s.grade, s.level, s.cell, s.band,
              s.qualified, s.action, s.action_label, string_to_array(s.fired, ',')::smallint[], s.cap_fit, s.cap_engagement,
              s.decay, s.days_inactive, $20, s.last_activity_at, s.facts_key, s.facts, s.facts_valid_until, s.signature, s.lead_xmin
         FROM s
       ON CONFLICT (lead_id) DO UPDATE SET
         rule_set_version_id = EXCLUDED.rule_set_version_id, rule_set_key = EXCLUDED.rule_set_key,
         rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit, engagement = EXCLUDED.engagement,
         total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade, engagement_level = EXCLUDED.engagement_level,
         cell = EXCLUDED.cell, band = EXCLUDED.band, qualified = EXCLUDED.qualified, action = EXCLUDED.action,
         action_label = EXCLUDED.action_label, fired_rules = EXCLUDED.fired_rules, cap_fit = EXCLUDED.cap_fit,
         cap_engagement = EXCLUDED.cap_engagement, decay = EXCLUDED.decay, days_inactive = EXCLUDED.days_inactive,
         scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at,
         facts_key = EXCLUDED.facts_key, facts = EXCLUDED.facts, facts_valid_until = EXCLUDED.facts_valid_until,
         signature = EXCLUDED.signature, lead_xmin = EXCLUDED.lead_xmin`,
      [
        column((s) => s.leadId),
        column((s) => s.ruleSetVersionId),
        column((s) => s.ruleSetKey),
        column((s) => s.ruleSetVersion),
        ...shownColumns(scores),
        asOf,
        column((s) => s.lastActivityAt),
        ...factsColumns(scores).map(arrayLiteral),
        column((s) => activityIds?.get(s.leadId) ?? null),
        cause,
        arrayLiteral(signatures),
        column((s) => s.leadXmin ?? null),
      ],
    );
  }
}

/** A changed score's history entry (both writes of changed scores), from `s` (new) and `o` (the row before). */
const HISTORY_INSERT = `INSERT INTO score_history (lead_id, cause, rule_set_version_id, activity_id, old_fit, new_fit, old_engagement,
                                    new_engagement, old_total, new_total, old_cell, new_cell, old_band, new_band,
                                    old_qualified, new_qualified, changed_at)`;
const HISTORY_VALUES = `o.fit, s.fit, o.engagement, s.engagement, o.total, s.total, o.cell, s.cell, o.band, s.band, o.qualified, s.qualified`;

/**
 * What a changed score shows, as unnest parameters in this order: fit, engagement, total, grade,
 * level, cell, band, qualified, action, action_label, fired (comma-separated), cap_fit,
 * cap_engagement, decay, days_inactive.
 */
function shownColumns(scores: readonly StoredScore[]): string[] {
  const column = (pick: (score: StoredScore) => ArrayElement) => arrayLiteral(scores.map(pick));
  return [
    column((s) => s.fit),
    column((s) => s.engagement),
    column((s) => s.total),
    column((s) => s.fitGrade),
    column((s) => s.engagementLevel),
    column((s) => s.cell),
    column((s) => s.band),
    column((s) => s.qualified),
    column((s) => s.action),
    column((s) => s.actionLabel),
    column((s) => s.compact.firedRules.join(',')),
    column((s) => s.compact.capFit),
    column((s) => s.compact.capEngagement),
    column((s) => s.compact.decay),
    column((s) => s.compact.daysInactive),
  ];
}

/** What scoring one lead needs: its own columns and its activity aggregates (cached or just computed). */
interface ScoringInput {
  leadId: string;
  /** The lead row's version as read (lead_score.lead_xmin). */
  leadXmin: string | null;
  lead: LeadColumns;
  activity: ActivityValues;
  lastActivityAt: Date | null;
  /** Until when `activity` holds (null: for ever). */
  validUntil: Date | null;
  /** `activity` came from the lead's cache (it is stored already). */
  reused: boolean;
}

/** A lead read for scoring, with its stored score (s_*, null while unscored) and cached activity facts. */
interface JoinedRow {
  lead_id: string;
  lead_xmin: string;
  /** lead_score.lead_xmin: the lead row's version the stored score was computed from. */
  s_lead_xmin: string | null;
  email: string | null;
  segment: string | null;
  source: string | null;
  /** jsonb as text; read apart (or not at all: null) for leads that may keep their fired rules. */
  attributes: string | null;
  /** With CARRY_COLUMNS: the stored score's version. */
  s_version_id?: string | null;
  /** lead_score.signature (scoreSignature of the stored score); null while unscored. */
  s_signature: string | null;
  /**
   * Times as epoch ms in text (cheaper to read than timestamps; float8 seconds carry microseconds
   * to about 0.2 us). scored_at is always a whole millisecond (asOf from JS); the others are rounded
   * down, which for facts_valid_until can only end a cache's validity earlier, never later.
   */
  created_at: string;
  s_scored_at: string | null;
  s_last_activity_at: string | null;
  facts_key: string | null;
  /** lead_score.facts (see formatFacts). */
  facts: string | null;
  facts_valid_until: string | null;
}

/**
 * The stored score as far as re-scoring needs it: its signature, instead of twenty columns to parse
 * (history entries read the old values in SQL), and its cached activity aggregates.
 */
const JOINED_SCORE_COLUMNS = `s.signature AS s_signature, s.lead_xmin::text AS s_lead_xmin,
  round(date_part('epoch', s.scored_at) * 1000)::int8::text AS s_scored_at,
  floor(date_part('epoch', s.last_activity_at) * 1000)::int8::text AS s_last_activity_at,
  s.facts_key, s.facts, s.facts_valid_until::text AS facts_valid_until`;

/** In place of the attributes when leads may keep their fired rules (ScoreLeadsOptions.carryFirst). */
const CARRY_COLUMNS = `NULL::text AS attributes, s.rule_set_version_id::text AS s_version_id`;

function cachedFactsOf(row: JoinedRow): CachedFacts | null {
  return row.facts_key === null || row.facts === null || row.s_scored_at === null
    ? null
    : {
        key: row.facts_key,
        asOf: Number(row.s_scored_at),
        validUntil: row.facts_valid_until === null ? null : Number(row.facts_valid_until),
      };
}

/**
 * The fired rule indexes a score's signature lists (scoreSignature's 8th field; written with
 * lead_score.fired_rules and always equal to it). Read from there: PostgreSQL's array_to_string of
 * fired_rules cost ~5 ms per 5,000 leads.
 */
function firedOf(signature: string): number[] {
  let start = 0;
  for (let field = 0; field < 7; field++) start = signature.indexOf('|', start) + 1;
  const end = signature.indexOf('|', start);
  if (end === start) return [];
  const text = signature.slice(start, end);
  return text.split(',').map(Number);
}

const firedRules = new WeakMap<RuleSetDefinition, FiredRule[]>();

/** A definition's rules as FiredRules, built once per definition. */
function firedRulesOf(definition: RuleSetDefinition): FiredRule[] {
  let rules = firedRules.get(definition);
  if (!rules) {
    rules = rulesAsFired(definition);
    firedRules.set(definition, rules);
  }
  return rules;
}

/** What a lead sees of its score: points, cell, band, qualification, action and explanation (not which version). */
function scoreSignature(score: StoredScore): string {
  const { firedRules, capFit, capEngagement, decay } = score.compact;
  // Numbers and booleans first, then the strings as JSON (unambiguous whatever they contain); see beforeOf.
  return `${score.fit}|${score.engagement}|${score.total}|${score.qualified}|${capFit}|${capEngagement}|${decay}|${firedRules.join(',')}|${JSON.stringify(score.cell)},${JSON.stringify(score.band)},${JSON.stringify(score.action)},${JSON.stringify(score.actionLabel)}`;
}

/** What a score change's listeners see of the score before it, read back from its signature. */
function beforeOf(signature: string): NonNullable<ScoreTransition['before']> {
  const parts = signature.split('|');
  const [cell, , action] = JSON.parse(`[${parts.slice(8).join('|')}]`) as string[];
  return { total: Number(parts[2]), qualified: parts[3] === 'true', action, cell };
}

/** lead_score.facts: the activity aggregates comma-separated, `n` for null (JS number formatting round-trips exactly). */
function formatFacts(values: ActivityValues): string {
  return values.map((value) => (value === null ? 'n' : String(value))).join(',');
}

/** One aggregate of lead_score.facts text (formatFacts), without splitting the rest. */
function factAt(text: string, index: number): number | null {
  let start = 0;
  for (let i = 0; i < index && start > -1; i++) start = text.indexOf(',', start) + 1 || -1;
  if (start < 0) return null;
  const end = text.indexOf(',', start);
  const value = end < 0 ? text.slice(start) : text.slice(start, end);
  return value === 'n' || value === '' ? null : Number(value);
}

function parseFacts(text: string): ActivityValues {
  if (text === '') return [];
  return text.split(',').map((value) => (value === 'n' ? null : Number(value)));
}

/** The cached-facts columns of scores as unnest parameters: keys, formatFacts text, valid-until epoch ms (null where `only` is false). */
function factsColumns(
  scores: readonly StoredScore[],
  only?: readonly boolean[],
): [Array<string | null>, Array<string | null>, Array<number | null>] {
  const keep = (i: number) => only === undefined || only[i];
  return [
    scores.map((score, i) => (keep(i) ? (score.facts?.key ?? null) : null)),
    scores.map((score, i) => (keep(i) && score.facts ? (score.facts.text ?? formatFacts(score.facts.values)) : null)),
    // Rounded down: a cache may end a fraction of a millisecond early, never late.
    scores.map((score, i) => (keep(i) && score.facts?.validUntil ? Math.floor(score.facts.validUntil.getTime()) : null)),
  ];
}

/** The lead_score columns a read returns: all but those only scoring uses (cached activity aggregates, signature). */
const SCORE_ROW_COLUMNS = [
  'lead_id',
  'rule_set_version_id',
  'rule_set_key',
  'rule_set_version',
  'fit',
  'engagement',
  'total',
  'fit_grade',
  'engagement_level',
  'cell',
  'band',
  'qualified',
  'action',
  'action_label',
  'fired_rules',
  'cap_fit',
  'cap_engagement',
  'decay',
  'days_inactive',
  'scored_at',
  'last_activity_at',
] as const;

/**
 * A lead_score row as JSON for reads joined into lead queries (scoreRowFromJson); null when the
 * join found no score. json_build_object of the columns read: PostgreSQL spent a third of the
 * lead-score read building `to_jsonb(row)` and deleting the scoring-only keys from it.
 */
export function scoreRowJson(alias: string): string {
  const pairs = SCORE_ROW_COLUMNS.map((column) => `'${column}', ${alias}.${column}`).join(', ');
  return `CASE WHEN ${alias}.lead_id IS NULL THEN NULL ELSE json_build_object(${pairs}) END`;
}

/** A lead_score row as scoreRowJson returns it. */
function scoreRowFromJson(row: Record<string, unknown>): ScoreRow {
  return {
    leadId: String(row.lead_id),
    ruleSetVersionId: String(row.rule_set_version_id),
    ruleSetKey: row.rule_set_key as string,
    ruleSetVersion: row.rule_set_version as number,
    fit: row.fit as number,
    engagement: row.engagement as number,
    total: row.total as number,
    fitGrade: row.fit_grade as string,
    engagementLevel: row.engagement_level as number,
    cell: row.cell as string,
    band: row.band as string,
    qualified: row.qualified as boolean,
    action: row.action as string,
    actionLabel: row.action_label as string,
    firedRules: row.fired_rules as number[],
    capFit: row.cap_fit as number,
    capEngagement: row.cap_engagement as number,
    decay: row.decay as number,
    daysInactive: row.days_inactive as number,
    scoredAt: new Date(row.scored_at as string),
    lastActivityAt: row.last_activity_at ? new Date(row.last_activity_at as string) : null,
  };
}
