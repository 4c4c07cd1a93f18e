import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { OPERATORS_BY_TYPE, validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { RuleSetEvaluator, type Facts } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';
import { arbitraryRuleSet, factsArb, factValue, PATHS, priority } from './testing/arbitrary-rule-sets';
import { expectSameOutcomes, mustCompile, rule, ruleSet, runs, viaCompiled, viaEngine } from './testing/differential';
import { b2bFactsFor, typedFactsArb, validRuleSetArb } from './testing/typed-rule-sets';

/*
 * Differential tests: json-rules-engine (RuleSetEvaluator) is the definition of which rules fire;
 * the compiled evaluator must agree on every rule set and every lead, including where the engine
 * rejects (the compiled evaluate then throws).
 */

const DEFAULT_B2B = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8')) as RuleSetDefinition;
const validRuleSet = validRuleSetArb(OPERATORS_BY_TYPE);
const b2bFactsArb = b2bFactsFor(DEFAULT_B2B);

describe('compiled evaluator: differential against json-rules-engine', () => {
  it('fires exactly what json-rules-engine fires on arbitrary rule sets and leads', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRuleSet, fc.array(factsArb, { minLength: 1, maxLength: 5 }), async (definition, leads) => {
        await expectSameOutcomes(definition, leads);
      }),
      runs(400),
    );
  });

  it('fires exactly what json-rules-engine fires on valid rule sets with typed facts', async () => {
    await fc.assert(
      fc.asyncProperty(validRuleSet, fc.array(typedFactsArb, { minLength: 1, maxLength: 5 }), async (definition, leads) => {
        fc.pre(validateRuleSetDefinition(definition).length === 0);
        await expectSameOutcomes(definition, leads);
      }),
      runs(300),
    );
  });

  it('rejects like json-rules-engine when an unknown shared condition is reached', async () => {
    const withGhost = fc
      .tuple(validRuleSet, fc.nat(), fc.boolean(), fc.boolean(), priority, priority)
      .map(([definition, at, any, first, p1, p2]) => {
        const index = at % definition.rules.length;
        const original = { ...definition.rules[index].conditions, priority: p1 };
        const ghost = { condition: 'ghost', priority: p2 };
        const conditions = { [any ? 'any' : 'all']: first ? [ghost, original] : [original, ghost] };
        return { ...definition, rules: definition.rules.map((r, i) => (i === index ? { ...r, conditions } : r)) } as RuleSetDefinition;
      });
    await fc.assert(
      fc.asyncProperty(withGhost, fc.array(typedFactsArb, { minLength: 1, maxLength: 4 }), async (definition, leads) => {
        await expectSameOutcomes(definition, leads);
      }),
      runs(150),
    );
  });

  it('agrees on rules/default-b2b.json for arbitrary leads', async () => {
    const compiled = mustCompile(DEFAULT_B2B);
    const engine = new RuleSetEvaluator(DEFAULT_B2B);
    await fc.assert(
      fc.asyncProperty(b2bFactsArb, async (facts) => {
        expect(viaCompiled(compiled, facts)).toEqual(await viaEngine(engine, facts));
      }),
      runs(500),
    );
  });

  it('resolves simple fact paths as JSONPath-plus does', async () => {
    const paths = PATHS.filter(Boolean);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        factValue,
        fc.constantFrom(...paths, ''),
        factValue,
        async (leftPath, left, rightPath, right) => {
          const definition = ruleSet({
            rules: [
              rule('eq', { all: [{ fact: 'x', path: leftPath, operator: 'equal', value: { fact: 'y', path: rightPath } }] }),
              rule('neq', { all: [{ fact: 'x', path: leftPath, operator: 'notEqual', value: null }] }),
              rule('undef', { all: [{ fact: 'x', path: leftPath, operator: 'isEmpty', value: true }] }),
            ],
          });
          await expectSameOutcomes(definition, [{ x: left, y: right } as Facts, { x: right } as Facts]);
        },
      ),
      runs(300),
    );
  });
});
