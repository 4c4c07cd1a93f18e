import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { evaluateMany } from './compiled-evaluator';
import { RuleSetEvaluator, type Facts } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';
import { mustCompile, rule, ruleSet, runs, viaCompiled, viaEngine } from './testing/differential';
import { TYPED_FACTS, typedFactsArb } from './testing/typed-rule-sets';

describe('compiled evaluator: shared conditions used many times', () => {
  const size = (value: number) => ({ fact: 'size', operator: 'greaterThan', value });
  const country = (value: string) => ({ fact: 'country', operator: 'equal', value });
  /** l0..l<links>: each link uses the next twice (once negated), so results differ link by link. */
  function chained(links: number): RuleSetDefinition {
    const sharedConditions: Record<string, unknown> = {};
    for (let i = 0; i < links; i++) {
      sharedConditions[`l${i}`] = {
        any: [
          { all: [{ condition: `l${i + 1}` }, size(i * 20)] },
          { all: [{ not: { condition: `l${i + 1}` } }, i % 2 ? country('US') : country('DE')] },
        ],
      };
    }
    sharedConditions[`l${links}`] = { all: [{ fact: 'budget', operator: 'equal', value: true }] };
    return ruleSet({
      facts: TYPED_FACTS,
      sharedConditions: sharedConditions as RuleSetDefinition['sharedConditions'],
      rules: Array.from({ length: links + 1 }, (_, i) => rule(`uses-l${i}`, { all: [{ condition: `l${i}` }] }, i + 1)),
    });
  }
  /** What l<i> means, evaluated directly (each link once). */
  function expected(links: number, facts: Facts): string[] {
    const holds: boolean[] = [];
    holds[links] = facts.budget === true;
    for (let i = links - 1; i >= 0; i--) {
      const sized = typeof facts.size === 'number' && facts.size > i * 20;
      holds[i] = (holds[i + 1] && sized) || (!holds[i + 1] && facts.country === (i % 2 ? 'US' : 'DE'));
    }
    return holds.flatMap((held, i) => (held ? [`uses-l${i}`] : []));
  }

  // Each link doubles what an unmemoised evaluation does: 80 links would never finish.
  it('evaluates each shared condition once per lead: 80 links, each using the next twice', () => {
    const compiled = mustCompile(chained(80));
    fc.assert(
      fc.property(typedFactsArb, (facts) => {
        expect(compiled.evaluate(facts).map((fired) => fired.rule)).toEqual(expected(80, facts));
      }),
      runs(200),
    );
    const leads = [{ size: 2000, budget: true }, { size: 10, country: 'DE' }, {}] as Facts[];
    const { rules, fired } = evaluateMany(compiled, leads);
    leads.forEach((facts, i) => {
      expect(rules.filter((_, r) => fired[i * rules.length + r] === 1).map((f) => f.rule)).toEqual(expected(80, facts));
    });
  }, 20_000);

  it('reads the innermost link once per lead however many references reach it', () => {
    const definition = chained(16);
    (definition.sharedConditions as Record<string, unknown>).l16 = { all: [{ fact: 'probe', path: '$.x', operator: 'equal', value: 1 }] };
    const compiled = mustCompile(definition);
    let reads = 0;
    const probe = {
      get x() {
        reads += 1;
        return 1;
      },
    };
    for (let lead = 1; lead <= 3; lead++) {
      compiled.evaluate({ probe, size: 500 } as unknown as Facts);
      expect(reads).toBe(lead); // without the memo: 2^16 per lead
    }
  });

  it('json-rules-engine is never built over an expansion validation would refuse (a version stored before the bound)', () => {
    // Counted in linear time: an unmemoised count of 90 links would never return.
    expect(() => new RuleSetEvaluator(chained(90))).toThrow(
      expect.objectContaining({ code: 'RULE_SET_TOO_LARGE', problems: [expect.objectContaining({ path: 'definition.rules' })] }),
    );
    expect(() => new RuleSetEvaluator(chained(7))).not.toThrow();
  });

  it('a large but legal sharing pattern: valid, and both engines agree', async () => {
    const definition = chained(7);
    expect(validateRuleSetDefinition(definition)).toEqual([]);
    const compiled = mustCompile(definition);
    const engine = new RuleSetEvaluator(definition);
    await fc.assert(
      fc.asyncProperty(typedFactsArb, async (facts) => {
        const outcome = await viaEngine(engine, facts);
        expect(viaCompiled(compiled, facts)).toEqual(outcome);
        expect(outcome).toEqual({ fired: expected(7, facts).map((name) => expect.objectContaining({ rule: name })) });
      }),
      runs(40),
    );
  });
});
