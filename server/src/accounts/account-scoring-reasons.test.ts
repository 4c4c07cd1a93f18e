import { describe, expect, it } from 'vitest';
import { CONTRIBUTORS_LIMIT } from '../engine/account-facts';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { accountReasons, factsReadByRules } from './account-scoring-reasons';

const rule = (name: string, conditions: unknown) => ({
  name,
  conditions,
  event: { type: 'score', params: { dimension: 'engagement', points: 10, label: name } },
});

const definition = {
  facts: [],
  sharedConditions: {
    committee: { all: [{ fact: 'engaged', operator: 'greaterThan', value: 1 }, { condition: 'senior' }] },
    senior: { any: [{ fact: 'seniority', operator: 'greaterThan', value: 2 }, { condition: 'committee' }] },
  },
  rules: [
    rule('direct', { all: [{ fact: 'engaged', operator: 'greaterThan', value: 0 }] }),
    rule('shared', { not: { condition: 'committee' } }),
    rule('firmographic', { all: [{ fact: 'industry', operator: 'equal', value: 'software' }] }),
  ],
} as unknown as RuleSetDefinition;

describe('account score reasons', () => {
  it('finds the facts a rule reads through shared conditions, cycles included', () => {
    const facts = factsReadByRules(definition);
    expect(facts.get('direct')).toEqual(['engaged']);
    expect(new Set(facts.get('shared'))).toEqual(new Set(['engaged', 'seniority']));
    expect(facts.get('firmographic')).toEqual(['industry']);
  });

  it('names the contacts behind the facts a rule read, once each and at most CONTRIBUTORS_LIMIT', () => {
    const many = Array.from({ length: CONTRIBUTORS_LIMIT + 5 }, (_, i) => ({ leadId: String(i + 1), label: `c${i + 1}` }));
    const contributors = new Map([
      ['engaged', many.slice(0, 3)],
      ['seniority', many],
    ]);
    const reasons = accountReasons(
      definition,
      [
        { rule: 'direct', label: 'direct', dimension: 'engagement', points: 10 },
        { rule: 'shared', label: 'shared', dimension: 'engagement', points: 10 },
        { rule: 'firmographic', label: 'firmographic', dimension: 'fit', points: 10 },
        { rule: '$cap.engagement', label: 'capped', dimension: 'engagement', points: -5 },
      ],
      contributors,
    );
    expect(reasons[0].contacts).toEqual(many.slice(0, 3));
    expect(reasons[1].contacts).toEqual(many.slice(0, CONTRIBUTORS_LIMIT));
    expect(reasons[2]).toEqual({ rule: 'firmographic', label: 'firmographic', dimension: 'fit', points: 10 });
    expect(reasons[3].contacts).toBeUndefined();
  });
});
