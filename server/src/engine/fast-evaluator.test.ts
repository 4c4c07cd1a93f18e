import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { compileRuleSet } from './compiled-evaluator';
import { createFastEvaluator } from './fast-evaluator';
import { RuleSetEvaluator, type Facts } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';
import { rule, ruleSet } from './testing/differential';

const DEFAULT_B2B = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8')) as RuleSetDefinition;

describe('compiled evaluator: fallback to json-rules-engine', () => {
  const unsupported: Array<[string, unknown, string]> = [
    ['a recursive-descent path', { all: [{ fact: 'a', path: '$..b', operator: 'equal', value: 1 }] }, 'rules[0].conditions.all[0].path'],
    [
      'a wildcard path in a fact reference',
      { all: [{ fact: 'a', operator: 'equal', value: { fact: 'b', path: '$[*]' } }] },
      'rules[0].conditions.all[0].value.path',
    ],
    [
      'a non-integer priority',
      {
        any: [
          { fact: 'a', operator: 'equal', value: 1, priority: 'high' },
          { fact: 'a', operator: 'equal', value: 2 },
        ],
      },
      'rules[0].conditions.any[0].priority',
    ],
    ['a condition with both all and any', { all: [{ all: [], any: [] }] }, 'rules[0].conditions.all[0]'],
  ];
  it.each(unsupported)('reports %s with its path and falls back', async (_, conditions, at) => {
    const definition = ruleSet({ rules: [rule('r', conditions), rule('always', { all: [] })] });
    const compiled = compileRuleSet(definition);
    expect(compiled.compiled).toBe(false);
    if (!compiled.compiled) expect(compiled.reason.startsWith(`${at}:`)).toBe(true);

    const fast = createFastEvaluator(definition);
    expect(fast.compiled).toBe(false);
    expect(fast.reason).toBe(compiled.compiled ? undefined : compiled.reason);
    const facts = { a: 1, b: ['1'] } as Facts;
    const result = fast.evaluate(facts);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toEqual((await new RuleSetEvaluator(definition).evaluate(facts)).fired);
  });

  it('reports shared conditions that refer to themselves', () => {
    const definition = ruleSet({
      sharedConditions: { a: { any: [{ condition: 'b' }] }, b: { all: [{ condition: 'a' }] } },
      rules: [rule('r', { condition: 'a' })],
    });
    const compiled = compileRuleSet(definition);
    expect(compiled).toEqual({ compiled: false, reason: expect.stringMatching(/^sharedConditions\.a: refers to itself/) });
  });

  it('uses the compiled evaluator (synchronous) when the rule set compiles', () => {
    const fast = createFastEvaluator(DEFAULT_B2B);
    expect(fast.compiled).toBe(true);
    expect(Array.isArray(fast.evaluate({}))).toBe(true);
  });

  it('runs fallback evaluations one at a time, so overlapping calls never skip rules', async () => {
    // json-rules-engine keeps RUNNING / FINISHED on the shared Engine; overlapping runs can skip rules.
    const definition = ruleSet({
      rules: [
        rule('a', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1, { priority: 3 }),
        rule('b', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1, { priority: 2 }),
        rule('c', { all: [{ fact: 'x', operator: 'equal', value: 1, path: '$..y' }] }, 1),
        rule('d', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1),
      ],
    });
    const fast = createFastEvaluator(definition);
    expect(fast.compiled).toBe(false);
    for (let delay = 0; delay < 60; delay++) {
      const first = fast.evaluate({ x: 1 });
      let tick: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < delay; i++) tick = tick.then(() => undefined);
      const second = tick.then(() => fast.evaluate({ x: 1 }));
      const [one, two] = await Promise.all([first, second]);
      expect([one.map((f) => f.rule), two.map((f) => f.rule)]).toEqual([
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ]);
    }
  });
});
