import type { DataSource } from 'typeorm';
import { InvalidInputError, type Problem } from '../common/errors';
import { explainEvaluation, type RuleExplanation } from '../engine/explain';
import { buildFactsQuery, daysInactive as daysInactiveOf, factsFromRow, type FactsRow } from '../engine/facts';
import { computeScore, type ScoreOutcome } from '../engine/grading';
import { RuleSetEvaluator, type Facts, type FactValue } from '../engine/rule-engine';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { isError } from './ruleset-validation';
import { RuleSetErrorCode } from './ruleset.errors';
import type { RuleSetService } from './ruleset.service';
import type { RuleSetWorkflowService } from './ruleset-workflow.service';

export interface SimulationSide {
  ruleSetKey: string;
  /** Null for an unsaved definition. */
  version: number | null;
  versionId: string | null;
  facts: Facts;
  daysInactive: number;
  score: ScoreOutcome;
  rules: Array<RuleExplanation & { rule: string }>;
}

export interface SimulationInput {
  versionId?: string | null;
  definition?: unknown;
  leadId?: string | null;
  leadExternalId?: string | null;
  facts?: Record<string, unknown> | null;
  daysInactive?: number | null;
  asOf?: Date | null;
}

function typedFacts(definition: RuleSetDefinition, given: Record<string, unknown>): { facts: Facts; problems: Problem[] } {
  const problems: Problem[] = [];
  const declared = new Map(definition.facts.map((fact) => [fact.name, fact]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name))
      problems.push({
        path: `input.facts.${name}`,
        message: `not a fact of rule set "${definition.key}"; its facts are ${[...declared.keys()].join(', ')}`,
      });
  }
  const facts: Facts = {};
  for (const fact of definition.facts) {
    const value = given[fact.name];
    const path = `input.facts.${fact.name}`;
    if (value === undefined || value === null) facts[fact.name] = null;
    else if (fact.type === 'number' && (typeof value !== 'number' || !Number.isFinite(value)))
      problems.push({ path, message: 'must be a number' });
    else if (fact.type === 'boolean' && typeof value !== 'boolean') problems.push({ path, message: 'must be true or false' });
    else if (fact.type === 'string[]' && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
      problems.push({ path, message: 'must be a list of strings' });
    else if ((fact.type === 'string' || fact.type === 'date') && typeof value !== 'string')
      problems.push({ path, message: 'must be a string' });
    else facts[fact.name] = value as FactValue;
  }
  return { facts, problems };
}

/** Finds the stored lead a simulation scores; leads/LeadService is one (app.ts passes it in). */
export interface LeadLookup {
  getLead(ref: { id?: string | null; externalId?: string | null }): Promise<{ id: string; segment: string | null }>;
}

/**
 * What a version (or an unsaved definition) would make of a lead or of facts typed by hand, with
 * every rule's outcome and, for rules that did not fire, the condition that failed and the value it
 * saw; side by side with the version scoring that lead today.
 */
export class RuleSetSimulationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly workflow: RuleSetWorkflowService,
    private readonly leads: LeadLookup,
  ) {}

  async simulate(input: SimulationInput): Promise<{ candidate: SimulationSide; active: SimulationSide }> {
    if ((input.versionId == null) === (input.definition == null)) {
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input', 'give exactly one of versionId or definition');
    }
    const byLead = input.leadId != null || input.leadExternalId != null;
    if (byLead === (input.facts != null)) {
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input', 'give a lead (leadId or leadExternalId) or facts, not both');
    }
    let candidateDefinition: RuleSetDefinition;
    let candidateVersion: { id: string; version: number } | null = null;
    if (input.versionId != null) {
      const version = await this.workflow.getVersion(input.versionId);
      candidateDefinition = version.definition;
      candidateVersion = { id: version.id, version: version.version };
    } else {
      const problems = (await this.workflow.validate(input.definition)).filter(isError);
      if (problems.length)
        throw InvalidInputError.of(
          RuleSetErrorCode.InvalidRuleSet,
          problems.map((p) => ({ path: `input.definition.${p.path}`, message: p.message })),
        );
      candidateDefinition = input.definition as RuleSetDefinition;
    }
    const asOf = input.asOf ?? new Date();
    if (candidateDefinition.subject === 'account')
      // Simulation compares a lead's score with the default lead model's; an account rule set scores accounts (backtest it instead).
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        input.versionId != null ? 'input.versionId' : 'input.definition.subject',
        'is an account rule set: simulation scores one lead; run a backtest of the account model instead',
      );

    if (byLead) {
      const lead = await this.leads.getLead({ id: input.leadId ?? null, externalId: input.leadId != null ? null : input.leadExternalId });
      const active = await this.ruleSets.resolveForSegment(this.dataSource.manager, lead.segment);
      return {
        candidate: await this.forLead(candidateDefinition, candidateVersion, lead.id, asOf),
        active: await this.forLead(active.definition, { id: active.versionId, version: active.version }, lead.id, asOf),
      };
    }

    const { facts, problems } = typedFacts(candidateDefinition, input.facts ?? {});
    if (input.daysInactive != null && (!Number.isInteger(input.daysInactive) || input.daysInactive < 0 || input.daysInactive > 36500)) {
      problems.push({ path: 'input.daysInactive', message: 'must be a whole number of days, 0 or more' });
    }
    if (problems.length) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
    const active =
      (await this.ruleSets.activeRuleSets(this.dataSource.manager)).find((ruleSet) => ruleSet.key === candidateDefinition.key) ??
      (await this.ruleSets.resolveForSegment(this.dataSource.manager, null));
    const activeFacts = typedFacts(
      active.definition,
      Object.fromEntries(Object.entries(input.facts ?? {}).filter(([name]) => active.definition.facts.some((f) => f.name === name))),
    ).facts;
    const days = input.daysInactive ?? 0;
    return {
      candidate: await this.evaluate(candidateDefinition, candidateVersion, facts, days),
      active: await this.evaluate(active.definition, { id: active.versionId, version: active.version }, activeFacts, days),
    };
  }

  private async forLead(
    definition: RuleSetDefinition,
    version: { id: string; version: number } | null,
    leadId: string,
    asOf: Date,
  ): Promise<SimulationSide> {
    const query = buildFactsQuery(definition);
    const [row]: FactsRow[] = await this.dataSource.query(query.sql, query.params(asOf, [leadId]));
    return this.evaluate(definition, version, factsFromRow(definition, row, asOf), daysInactiveOf(row, asOf));
  }

  private async evaluate(
    definition: RuleSetDefinition,
    version: { id: string; version: number } | null,
    facts: Facts,
    days: number,
  ): Promise<SimulationSide> {
    const evaluation = await new RuleSetEvaluator(definition).evaluate(facts);
    return {
      ruleSetKey: definition.key,
      version: version?.version ?? null,
      versionId: version?.id ?? null,
      facts,
      daysInactive: days,
      score: computeScore(definition, evaluation.fired, days),
      rules: explainEvaluation(definition, evaluation, facts).map((explanation) => ({ ...explanation, rule: explanation.name })),
    };
  }
}
