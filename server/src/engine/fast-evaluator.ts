import { compileRuleSet } from './compiled-evaluator';
import { RuleSetEvaluator, type Facts, type FiredRule } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';

export interface FastEvaluator {
  /** True when `evaluate` runs compiled code (synchronous); false when it runs json-rules-engine. */
  readonly compiled: boolean;
  /** Why the rule set could not be compiled. */
  readonly reason?: string;
  evaluate(facts: Facts): FiredRule[] | Promise<FiredRule[]>;
}

/**
 * The compiled evaluator when the rule set compiles, json-rules-engine (RuleSetEvaluator) when it
 * does not. The fallback runs one evaluation at a time and uses a fresh engine after a rejection:
 * json-rules-engine keeps its run status on the shared Engine (engine.js run sets RUNNING, a
 * finishing run sets FINISHED, evaluateRules skips every rule unless RUNNING), so overlapping runs
 * on one engine can silently skip rules; and a rejected run keeps evaluating its remaining
 * priority groups in the background (`.catch(reject)` per group) and then sets FINISHED, which
 * can make the next run on that engine skip rules too.
 */
export function createFastEvaluator(definition: RuleSetDefinition): FastEvaluator {
  const result = compileRuleSet(definition);
  if (result.compiled) return { compiled: true, evaluate: result.evaluate };
  let evaluator = new RuleSetEvaluator(definition);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    compiled: false,
    reason: result.reason,
    evaluate(facts: Facts): Promise<FiredRule[]> {
      const snapshot = { ...facts };
      const run = queue.then(async () => {
        try {
          return (await evaluator.evaluate(snapshot)).fired;
        } catch (error) {
          evaluator = new RuleSetEvaluator(definition);
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
