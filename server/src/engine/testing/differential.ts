import { expect } from 'vitest';
import { compileRuleSet, type CompiledEvaluator } from '../compiled-evaluator';
import { RuleSetEvaluator, type Facts, type FiredRule } from '../rule-engine';
import { CELLS, type RuleSetDefinition } from '../ruleset-definition';

/*
 * Test support for the differential tests: json-rules-engine (RuleSetEvaluator) is the definition
 * of which rules fire; the compiled evaluator must agree on every rule set and every lead,
 * including where the engine rejects (the compiled evaluate then throws).
 */

/** COMPILED_EVALUATOR_RUNS=20 multiplies the property runs for a deeper (slower) search. */
const RUNS = Math.max(1, Number(process.env.COMPILED_EVALUATOR_RUNS ?? 1));
export const runs = (n: number) => ({ numRuns: n * RUNS });

export type Outcome = { fired: FiredRule[] } | { threw: true };

export async function viaEngine(evaluator: RuleSetEvaluator, facts: Facts): Promise<Outcome> {
  try {
    return { fired: (await evaluator.evaluate(facts)).fired };
  } catch {
    return { threw: true };
  }
}

export function viaCompiled(compiled: CompiledEvaluator, facts: Facts): Outcome {
  try {
    return { fired: compiled.evaluate(facts) };
  } catch {
    return { threw: true };
  }
}

export function mustCompile(definition: RuleSetDefinition): CompiledEvaluator {
  const result = compileRuleSet(definition);
  if (!result.compiled) throw new Error(`expected the rule set to compile: ${result.reason}`);
  return result;
}

/**
 * A fresh engine for every lead: a rejected json-rules-engine run keeps evaluating in the
 * background and then marks the shared Engine FINISHED, which can make the next run on it skip
 * rules (engine.js run / evaluateRules).
 */
export async function expectSameOutcomes(definition: RuleSetDefinition, leads: Facts[]): Promise<void> {
  const compiled = mustCompile(definition);
  for (const facts of leads) {
    const expected = await viaEngine(new RuleSetEvaluator(definition), facts);
    const actual = viaCompiled(compiled, facts);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      expect({ actual, facts }).toEqual({ actual: expected, facts });
    }
  }
}

const CELL_ACTIONS = Object.fromEntries(CELLS.map((cell) => [cell, { action: `act_${cell.toLowerCase()}`, label: cell }]));

export function ruleSet(overrides: Partial<RuleSetDefinition>): RuleSetDefinition {
  return {
    formatVersion: 1,
    key: 'compiled-test',
    name: 'Compiled evaluator test',
    facts: [],
    rules: [],
    caps: { fit: { min: -100, max: 100 }, engagement: { min: -100, max: 100 } },
    decay: { model: 'none' },
    grades: { A: 60, B: 40, C: 20 },
    levels: { '1': 60, '2': 35, '3': 15 },
    cells: CELL_ACTIONS,
    bands: [{ name: 'hot', min: 110 }, { name: 'cold' }],
    qualification: { threshold: 90, label: 'MQL' },
    ...overrides,
  };
}

export const rule = (name: string, conditions: unknown, points = 10, extra: Record<string, unknown> = {}) =>
  ({
    name,
    conditions,
    event: { type: 'score', params: { dimension: 'fit', points, label: `Label ${name}` } },
    ...extra,
  }) as RuleSetDefinition['rules'][number];
