import { Engine, type RuleResult } from 'json-rules-engine';
import { EngineInputError } from './engine-errors';
import { customOperators } from './operators';
import { type Dimension, EXPANDED_CONDITION_LIMITS, exceedsExpansionLimits, type RuleSetDefinition } from './ruleset-definition';

export type FactValue = string | number | boolean | string[] | null;
export type Facts = Record<string, FactValue>;

export interface FiredRule {
  rule: string;
  label: string;
  dimension: Dimension;
  points: number;
}

export interface RuleEvaluation {
  fired: FiredRule[];
  /** json-rules-engine's result trees, kept for explanations (which condition failed, on what value). */
  successResults: RuleResult[];
  failureResults: RuleResult[];
}

/** Builds a json-rules-engine instance for a rule set definition; build once, run many times. */
export function buildEngine(definition: RuleSetDefinition): Engine {
  // json-rules-engine expands shared conditions on every evaluation: a version stored before
  // validation bounded that expansion must not reach it.
  if (exceedsExpansionLimits(definition)) {
    throw new EngineInputError(
      'RULE_SET_TOO_LARGE',
      'definition.rules',
      `rule set "${definition.key}" has more than ${EXPANDED_CONDITION_LIMITS.perRule.toLocaleString('en-US')} conditions in a rule (or ${EXPANDED_CONDITION_LIMITS.total.toLocaleString('en-US')} in all) once its shared conditions are written out; save a smaller version`,
    );
  }
  const engine = new Engine([], { allowUndefinedFacts: true, allowUndefinedConditions: false });
  for (const operator of customOperators()) engine.addOperator(operator);
  for (const [name, condition] of Object.entries(definition.sharedConditions ?? {})) {
    // json-rules-engine's TopLevelCondition type is structurally the same as ours.
    engine.setCondition(name, condition as Parameters<Engine['setCondition']>[1]);
  }
  for (const rule of definition.rules) {
    engine.addRule({
      name: rule.name,
      priority: rule.priority ?? 1,
      conditions: rule.conditions as Parameters<Engine['addRule']>[0]['conditions'],
      event: rule.event,
    });
  }
  return engine;
}

export class RuleSetEvaluator {
  private readonly engine: Engine;
  private readonly order: Map<string, number>;

  constructor(readonly definition: RuleSetDefinition) {
    this.engine = buildEngine(definition);
    this.order = new Map(definition.rules.map((rule, index) => [rule.name, index]));
  }

  async evaluate(facts: Facts): Promise<RuleEvaluation> {
    // Fresh object: the almanac must never see (or keep) the caller's references.
    const { results, failureResults } = await this.engine.run({ ...facts });
    const fired = results
      .map((result): FiredRule => {
        const params = (result.event?.params ?? {}) as { dimension: Dimension; points: number; label: string };
        return { rule: result.name, label: params.label, dimension: params.dimension, points: params.points };
      })
      .sort((a, b) => (this.order.get(a.rule) ?? 0) - (this.order.get(b.rule) ?? 0));
    return { fired, successResults: results, failureResults };
  }
}
