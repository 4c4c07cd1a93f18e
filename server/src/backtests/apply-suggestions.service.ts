import type { DataSource } from 'typeorm';
import { ConflictError, InvalidInputError, type Problem } from '../common/errors';
import type { Actor } from '../auth/actor';
import type { RuleSetWorkflowService, VersionRow } from '../rulesets/ruleset-workflow.service';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { BacktestErrorCode } from './backtest.errors';
import { BACKTEST_ROLES, requireRole } from './backtest-roles';
import type { BacktestService } from './backtest.service';
import { scoreCohort, scoreFromFired, selectLeads } from './cohort-scoring';
import { splitLeads } from './fitting';
import { retuneThresholds, type ThresholdTarget, widenCaps, withPoints } from './definition-tuning';
import { type HoldoutSummary, holdoutSummary } from './suggestions';

export interface ApplySuggestionsInput {
  runId: string;
  /** Rules whose suggested points to apply; null or omitted: every rule with a suggestion. */
  rules?: string[] | null;
  /** Candidate rules to add; null or omitted: none. */
  candidates?: string[] | null;
  allCandidates?: boolean | null;
  target: { keepMqlShare?: boolean | null; mqlsPerWeek?: number | null };
}

export interface VersionEvidence {
  backtestRunId: string;
  /** The definition the figures below are for: an edited draft's evidence no longer describes it. */
  definitionChecksum: string;
  target: ThresholdTarget;
  appliedRules: Array<{ rule: string; from: number; to: number }>;
  addedCandidates: Array<{ rule: string; label: string; points: number }>;
  notes: string[];
  thresholds: {
    qualificationBefore: number;
    qualificationAfter: number;
    grades: { before: RuleSetDefinition['grades']; after: RuleSetDefinition['grades'] };
    levels: { before: RuleSetDefinition['levels']; after: RuleSetDefinition['levels'] };
    bands: Array<{ band: string; before: number | null; after: number | null }>;
  };
  /** On the whole cohort. */
  mqlShareBefore: number;
  mqlShareAfter: number;
  mqlsPerWeekBefore: number | null;
  mqlsPerWeekAfter: number | null;
  holdout: {
    leads: number;
    converted: number;
    /** The version active when the suggestions were applied (the backtested one when none was active). */
    activeVersionId: string;
    activeVersion: number;
    active: HoldoutSummary;
    draft: HoldoutSummary;
  };
}

const MAX_MQLS_PER_WEEK = 1_000_000;

/**
 * Turns a backtest's chosen suggestions into a new draft of the backtested rule set (created through
 * the workflow, so review and sign-off apply), with thresholds re-tuned on the cohort to the target,
 * and keeps the holdout comparison with the active version on the draft for its reviewers.
 */
export class ApplySuggestionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly backtests: BacktestService,
    private readonly workflow: RuleSetWorkflowService,
  ) {}

  async apply(actor: Actor, input: ApplySuggestionsInput): Promise<{ version: VersionRow; evidence: VersionEvidence }> {
    requireRole(actor, BACKTEST_ROLES.applySuggestions, 'Applying suggestions creates a draft');
    const problems: Problem[] = [];
    const keep = input.target?.keepMqlShare === true;
    const perWeek = input.target?.mqlsPerWeek ?? null;
    if (keep === (perWeek !== null))
      problems.push({ path: 'input.target', message: 'give exactly one of keepMqlShare: true or mqlsPerWeek' });
    if (perWeek !== null && !(Number.isInteger(perWeek) && perWeek >= 1 && perWeek <= MAX_MQLS_PER_WEEK))
      problems.push({
        path: 'input.target.mqlsPerWeek',
        message: `must be a whole number from 1 to ${MAX_MQLS_PER_WEEK.toLocaleString('en-US')}`,
      });
    if (input.allCandidates && input.candidates != null)
      problems.push({ path: 'input.candidates', message: 'give candidates or allCandidates, not both' });
    if (problems.length) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);
    const target: ThresholdTarget = keep ? { keepMqlShare: true } : { mqlsPerWeek: perWeek! };

    const run = await this.backtests.getRun(input.runId, 'input.runId');
    if (run.status !== 'completed')
      throw new ConflictError(
        BacktestErrorCode.NoSuggestions,
        `Backtest ${run.id} is ${run.status}; suggestions come with a completed run`,
      );
    const suggestions = run.results?.suggestions;
    if (!suggestions) throw new ConflictError(BacktestErrorCode.NoSuggestions, `Backtest ${run.id} has no suggestions (run it again)`);
    if (!suggestions.fitted)
      throw new ConflictError(BacktestErrorCode.NoSuggestions, `Backtest ${run.id} suggests nothing: ${suggestions.reason}`);
    if (!run.versionId)
      throw InvalidInputError.field(
        BacktestErrorCode.InvalidBacktest,
        'input.runId',
        'this backtest scored an unsaved definition; apply suggestions of a backtest of a saved version',
      );
    const version = await this.workflow.getVersion(run.versionId);
    if (version.checksum !== run.definitionChecksum) {
      throw new ConflictError(
        BacktestErrorCode.VersionChanged,
        `Version ${version.version} of ${version.ruleSetKey} changed after backtest ${run.id}; run the backtest again`,
      );
    }

    // ---- what to apply ----
    const byName = new Map(suggestions.candidates.map((candidate) => [candidate.rule, candidate]));
    const chosenCandidates = input.allCandidates
      ? suggestions.candidates.filter((c) => c.suggestedPoints !== null)
      : (input.candidates ?? []).map((name) => byName.get(name));
    (input.candidates ?? []).forEach((name, k) => {
      const candidate = byName.get(name);
      if (!candidate) problems.push({ path: `input.candidates[${k}]`, message: `no candidate rule "${name}" in backtest ${run.id}` });
      else if (candidate.suggestedPoints === null)
        problems.push({ path: `input.candidates[${k}]`, message: `"${name}" has no suggested points: ${candidate.note ?? 'not fitted'}` });
    });
    const withCandidates = chosenCandidates.length > 0;
    const ruleFits = withCandidates && suggestions.rulesWithCandidates ? suggestions.rulesWithCandidates : suggestions.rules;
    const fitByRule = new Map(ruleFits.map((rule) => [rule.rule, rule]));
    const names = input.rules ?? ruleFits.filter((rule) => rule.suggestedPoints !== null).map((rule) => rule.rule);
    names.forEach((name, k) => {
      const fit = fitByRule.get(name);
      if (!fit) problems.push({ path: `input.rules[${k}]`, message: `no rule "${name}" in backtest ${run.id}` });
      else if (fit.suggestedPoints === null)
        problems.push({ path: `input.rules[${k}]`, message: `"${name}" has no suggestion: ${fit.note ?? 'not fitted'}` });
    });
    if (problems.length) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);

    const notes: string[] = [];
    const points = new Map(names.map((name) => [name, fitByRule.get(name)!.suggestedPoints!]));
    // A rule fitted at 0 stays, neutral, so that reviewers see it and later backtests keep measuring it.
    for (const name of names) {
      if (points.get(name) === 0)
        notes.push(`${name} now awards 0 points (${fitByRule.get(name)!.note ?? 'no effect found once the other rules are counted'})`);
    }
    const added = chosenCandidates
      .filter((c) => c !== undefined && c.suggestedPoints !== 0)
      .map((c) => ({ definition: c!.definition, points: c!.suggestedPoints! }));
    for (const c of chosenCandidates)
      if (c && c.suggestedPoints === 0) notes.push(`candidate ${c.rule} left out: its fitted points round to 0`);

    // ---- score the cohort, widen caps, re-tune thresholds ----
    const cohort = await this.backtests.getCohort(run.cohortId!, 'input.runId');
    const snapshot = await this.backtests.loadSnapshot(cohort, [version.definition]);
    const leads = selectLeads(snapshot, run.openLeads);
    const current = version.definition;
    const currentScores = await scoreCohort(current, snapshot);
    const fitted = withPoints(current, points, added);
    let next: RuleSetDefinition = fitted;
    const raw = await scoreCohort(next, snapshot);
    const widened = widenCaps(next, raw.fired, next.rules.length, leads);
    if (
      widened.caps.fit.min !== next.caps.fit.min ||
      widened.caps.fit.max !== next.caps.fit.max ||
      widened.caps.engagement.min !== next.caps.engagement.min ||
      widened.caps.engagement.max !== next.caps.engagement.max
    ) {
      notes.push(
        `caps widened to fit ${widened.caps.fit.min}..${widened.caps.fit.max}, engagement ${widened.caps.engagement.min}..${widened.caps.engagement.max} so that no lead's fitted points are cut off`,
      );
    }
    next = widened;
    // Same rules in the same order as `raw`: new caps and thresholds need no condition evaluated again.
    const sameRules = next.rules.map((_, r) => r);
    const nextScores = scoreFromFired(next, snapshot, raw.fired, next.rules.length, sameRules);
    const spec = cohort.spec;
    const weeks = (new Date(spec.createdTo).getTime() - new Date(spec.createdFrom).getTime()) / (7 * 86_400_000);
    const tuned = retuneThresholds(
      { definition: current, scores: currentScores },
      { definition: next, scores: nextScores },
      leads,
      target,
      weeks,
    );
    const draftDefinition = tuned.definition;

    // ---- holdout comparison with the active version ----
    const ruleSet = await this.workflow.getRuleSet(version.ruleSetKey);
    const active = ruleSet.activeVersionId ? await this.workflow.getVersion(ruleSet.activeVersionId) : version;
    const holdoutFlags = splitLeads(suggestions.split.kind, suggestions.split.holdoutShare, leads, snapshot.leadIds, snapshot.createdAt);
    const holdout = Uint32Array.from(leads.filter((_, k) => holdoutFlags[k] === 1));
    const activeScores = active.id === version.id ? currentScores : await scoreCohort(active.definition, snapshot);
    const draftScores = scoreFromFired(draftDefinition, snapshot, raw.fired, draftDefinition.rules.length, sameRules);
    const activeSummary = holdoutSummary(active.definition, snapshot, activeScores, holdout);
    const draftSummary = holdoutSummary(draftDefinition, snapshot, draftScores, holdout);

    const fitByCandidate = new Map(added.map((a) => [a.definition.rule.name, a.points]));
    const evidenceWithoutChecksum = {
      backtestRunId: run.id,
      target,
      appliedRules: names.map((name) => ({
        rule: name,
        from: current.rules.find((r) => r.name === name)!.event.params.points,
        to: points.get(name)!,
      })),
      addedCandidates: added.map((a) => ({
        rule: a.definition.rule.name,
        label: a.definition.rule.event.params.label,
        points: fitByCandidate.get(a.definition.rule.name)!,
      })),
      notes,
      thresholds: {
        qualificationBefore: current.qualification.threshold,
        qualificationAfter: draftDefinition.qualification.threshold,
        grades: { before: current.grades, after: draftDefinition.grades },
        levels: { before: current.levels, after: draftDefinition.levels },
        bands: current.bands.map((band, b) => ({ band: band.name, before: band.min ?? null, after: draftDefinition.bands[b].min ?? null })),
      },
      mqlShareBefore: tuned.mqlShareBefore,
      mqlShareAfter: tuned.mqlShareAfter,
      mqlsPerWeekBefore: tuned.mqlsPerWeekBefore,
      mqlsPerWeekAfter: tuned.mqlsPerWeekAfter,
      holdout: {
        leads: holdout.length,
        converted: countConverted(snapshot.converted, holdout),
        activeVersionId: active.id,
        activeVersion: active.version,
        active: activeSummary,
        draft: draftSummary,
      },
    };
    const targetText = 'mqlsPerWeek' in target ? `${target.mqlsPerWeek} MQLs a week` : 'today’s MQL share';
    let evidence: VersionEvidence | null = null;
    const draft = await this.workflow.createDraft(
      actor,
      {
        ruleSetKey: version.ruleSetKey,
        definition: draftDefinition,
        note: `Fitted points from backtest ${run.id} (${names.length} rules${added.length ? `, ${added.length} new rules` : ''}); thresholds re-tuned to ${targetText}`,
      },
      async (manager, created) => {
        evidence = { ...evidenceWithoutChecksum, definitionChecksum: created.checksum };
        await manager.query('UPDATE rule_set_version SET backtest_run_id = $2::bigint, evidence = $3::jsonb WHERE id = $1::bigint', [
          created.id,
          run.id,
          JSON.stringify(evidence),
        ]);
      },
    );
    // The draft's own backtest on the same cohort: once published, its scores get a conversion probability from it.
    await this.backtests.runBacktest(actor, {
      cohortId: run.cohortId,
      versionId: draft.id,
      compareToVersionId: active.id === draft.id ? null : active.id,
      openLeads: run.openLeads,
      split: { kind: suggestions.split.kind, holdoutShare: suggestions.split.holdoutShare },
    });
    return { version: draft, evidence: evidence! };
  }

  /** The evidence kept on a version (null for versions not made from a backtest). */
  async evidenceOf(versionId: string): Promise<VersionEvidence | null> {
    const rows: Array<{ evidence: VersionEvidence | null }> = await this.dataSource.query(
      'SELECT evidence FROM rule_set_version WHERE id = $1::bigint',
      [versionId],
    );
    return rows[0]?.evidence ?? null;
  }
}

function countConverted(converted: Uint8Array, rows: Uint32Array): number {
  let n = 0;
  for (const i of rows) n += converted[i];
  return n;
}
