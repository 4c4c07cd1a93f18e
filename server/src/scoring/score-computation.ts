import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../db/prepared';
import { type CarryPlan, carryIndexes, carryPlan, rulesAsFired, timeFactsUnchanged } from '../engine/carry-plan';
import { type ActivityValues, cacheHolds, type FactsRow, factsShaper, type LeadColumns, wholeDaysBetween } from '../engine/facts';
import { computeScore } from '../engine/grading';
import type { FiredRule } from '../engine/rule-engine';
import { type RuleSetDefinition, usesAccountFacts } from '../engine/ruleset-definition';
import { metrics } from '../observability/metrics';
import type { ActiveRuleSet, RuleSetService } from '../rulesets/ruleset.service';
import { cachedFactsOf, type JoinedRow, readAccountColumns, readAttributes } from './score-store';
import { factAt, firedOf, parseFacts } from './score-signature';
import { type StoredScore, toStored } from './stored-score';

/** Scores just computed, with each lead's stored signature (absent while unscored) to compare them with. */
export interface ComputedScores {
  previous: Map<string, string>;
  next: StoredScore[];
  /**
   * Rows read with `carry` whose lead row is the version their stored score was computed from: the
   * stored score's rule set key and days inactive (what a score left unwritten must match besides
   * its signature; see ScoringService.store).
   */
  stored?: Map<string, StoredBasis>;
}

/** What a stored score was, besides its signature, as the decision to leave it unwritten reads it. */
export interface StoredBasis {
  ruleSetKey: string;
  daysInactive: number;
}

/** How computeFromRows computes. */
export interface Computation {
  /** Carry stored fired rules over where carry-plan.ts allows (rows read with `carry`). */
  carry: boolean;
  /** Build each score's reasons (for scores handed back; `compact` alone is what is stored). */
  reasons: boolean;
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

/**
 * Computes scores from leads, set-based: groups them by the rule set that scores them, reuses cached
 * activity aggregates where they still hold, carries stored fired rules over where the carry plan
 * allows, and runs one facts query per rule set for the rest. Stores nothing (ScoringService does).
 */
export class ScoreComputation {
  /** carryPlan by `fromVersionId>toVersionId` (versions that scored leads are immutable). */
  private readonly plans = new Map<string, CarryPlan | null>();

  constructor(private readonly ruleSets: RuleSetService) {}

  /** Scores from scratch: every lead's aggregates computed from its activities, nothing cached used. */
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

  /**
   * Scores leads read by readForScoring: reuses each lead's cached aggregates where they still hold
   * for the rule set that scores it (and, with `carry`, its fired rules where the plan allows), and
   * aggregates activities only for the others.
   */
  async computeFromRows(manager: EntityManager, rows: JoinedRow[], asOf: Date, how: Computation): Promise<ComputedScores> {
    const previous = new Map<string, string>();
    for (const row of rows) if (row.s_signature !== null) previous.set(row.lead_id, row.s_signature);
    const stored = how.carry ? storedBases(rows) : undefined;
    const groups = await this.byRuleSet(manager, rows, (row) => row.segment);
    const next: StoredScore[] = [];
    const carried = new Set<string>();
    if (how.carry) {
      // Carried where the plan allows; the rows left get their attributes and go on below.
      await readAttributes(manager, await this.carryOver(manager, groups, asOf, how.reasons, next, carried));
    }
    for (const [ruleSet, group] of groups) {
      const inputs: ScoringInput[] = [];
      const misses: string[] = [];
      // Facts about accounts are never cached (the account changes apart from the lead): read now.
      const accounts = usesAccountFacts(ruleSet.definition)
        ? await readAccountColumns(
            manager,
            group.filter((row) => !carried.has(row.lead_id)).map((row) => row.lead_id),
          )
        : null;
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
              ...accounts?.get(row.lead_id),
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
      next.push(...(await this.scoreInputs(ruleSet, inputs, asOf, how.reasons)));
      if (misses.length > 0)
        next.push(...(await this.scoreRows(ruleSet, await this.factsRows(manager, ruleSet, misses, asOf), asOf, how.reasons)));
    }
    return { previous, next, stored };
  }

  /**
   * Scores leads whose segments the caller knows and whose cached aggregates are void (it has just
   * written their activities or created them, under their locks): the rule sets are known before
   * reading, so each lead is read with its score's signature and its aggregates in one statement per
   * rule set.
   */
  async computeWithFreshFacts(
    manager: EntityManager,
    leadIds: readonly string[],
    segments: ReadonlyMap<string, string | null>,
    asOf: Date,
  ): Promise<ComputedScores> {
    const groups = await this.byRuleSet(manager, leadIds, (id) => segments.get(id) ?? null);
    const previous = new Map<string, string>();
    const next: StoredScore[] = [];
    for (const [ruleSet, ids] of groups) {
      const rows = await this.factsRows(manager, ruleSet, ids, asOf, true);
      for (const row of rows) if (typeof row.s_signature === 'string') previous.set(row.lead_id, row.s_signature);
      metrics.factsCacheMisses.inc(rows.length);
      next.push(...(await this.scoreRows(ruleSet, rows, asOf)));
    }
    return { previous, next };
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
        {
          reasons: withReasons,
        },
      );
      const score = toStored(input.leadId, ruleSet, outcome, asOf, input.lastActivityAt);
      score.leadXmin = input.leadXmin;
      score.facts = { key: ruleSet.factsQuery.key, values: input.activity, validUntil: input.validUntil, reused: input.reused };
      scores[i] = score;
    }
    return scores;
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
   * Scores the rows (read with `carry`) whose stored fired rules carry over to the rule set that
   * scores them (carry-plan.ts) into `next`, their ids into `carried`; returns the rows to evaluate
   * from their cached aggregates (their attributes to be read). Rows whose cache does not hold are
   * neither: their facts query reads the lead.
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
}

/** The stored bases of rows read with `carry` whose lead row is the one their score was computed from. */
function storedBases(rows: readonly JoinedRow[]): Map<string, StoredBasis> {
  const bases = new Map<string, StoredBasis>();
  for (const row of rows) {
    if (row.s_signature === null || row.s_key == null || row.s_days_inactive == null) continue;
    if (row.s_lead_xmin === null || row.s_lead_xmin !== row.lead_xmin) continue;
    bases.set(row.lead_id, { ruleSetKey: row.s_key, daysInactive: Number(row.s_days_inactive) });
  }
  return bases;
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
