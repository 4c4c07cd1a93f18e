import { describe, expect, it } from 'vitest';
import { firstMatch, normalizeRule, type RoutedLead, type RoutingRuleData, routingRuleProblems, ruleMatches } from './routing-rules';

const rule = (fields: Partial<RoutingRuleData>): RoutingRuleData =>
  normalizeRule({ name: 'r', cells: null, segment: null, bands: null, attributes: null, ownerId: null, team: 't', ...fields });
const lead: RoutedLead = {
  leadId: '1',
  cell: 'A1',
  band: 'hot',
  segment: 'smb',
  attributes: { country: 'DE', technologies: ['hubspot', 'slack'], size: 40 },
};
const OWNER = '0b7f2c1e-6a52-4d8e-9f0a-3c1d2e4f5a6b';
const vocabulary = {
  bands: new Set(['hot', 'warm', 'cold']),
  attributes: new Map([
    ['country', {}],
    ['technologies', {}],
    ['size', {}],
  ]),
  activeOwners: new Set([OWNER]),
  activeTeams: new Set(['t']),
};

describe('routing rules (pure)', () => {
  it('matches when every given condition holds; no condition matches all', () => {
    expect(ruleMatches(rule({}), lead)).toBe(true);
    expect(ruleMatches(rule({ cells: ['A1', 'B1'], bands: ['hot'], segment: 'smb' }), lead)).toBe(true);
    expect(ruleMatches(rule({ cells: ['B1'] }), lead)).toBe(false);
    expect(ruleMatches(rule({ segment: 'enterprise' }), lead)).toBe(false);
    expect(
      ruleMatches(
        rule({
          attributes: [
            { name: 'country', value: 'DE' },
            { name: 'size', value: 40 },
          ],
        }),
        lead,
      ),
    ).toBe(true);
    expect(ruleMatches(rule({ attributes: [{ name: 'size', value: '40' }] }), lead)).toBe(false);
    // A list attribute matches when it contains the value.
    expect(ruleMatches(rule({ attributes: [{ name: 'technologies', value: 'slack' }] }), lead)).toBe(true);
  });

  it('takes the first rule in order whose target can take the lead', () => {
    const rules = [rule({ name: 'a', segment: 'x' }), rule({ name: 'b', team: 'gone' }), rule({ name: 'c' }), rule({ name: 'd' })];
    expect(firstMatch(rules, lead, (r) => r.team !== 'gone')?.name).toBe('c');
    expect(firstMatch(rules, lead, () => false)).toBeNull();
  });

  it('stores empty lists as any and removes duplicates', () => {
    expect(rule({ cells: [], bands: ['hot', 'hot'], attributes: [] })).toMatchObject({ cells: null, bands: ['hot'], attributes: null });
  });

  it('names every problem by its path', () => {
    const problems = routingRuleProblems(
      [
        { ...rule({ name: 'x', cells: ['A5'], bands: ['hot', 'tepid'] }) },
        { ...rule({ name: 'x', attributes: [{ name: 'shoe', value: { nested: true } }] }) },
        { ...rule({ name: 'y', ownerId: OWNER, team: null }) },
        { ...rule({ name: 'z', ownerId: OWNER.replace('0b', 'ff'), team: null }) },
        { ...rule({ name: ' ', team: null }) },
      ],
      vocabulary,
    );
    expect(problems.map((problem) => problem.path)).toEqual([
      'rules[0].cells[0]',
      'rules[0].bands[1]',
      'rules[1].name',
      'rules[1].attributes[0].name',
      'rules[1].attributes[0].value',
      'rules[3].ownerId',
      'rules[4].name',
      'rules[4]',
    ]);
    expect(
      routingRuleProblems(
        Array.from({ length: 101 }, (_, i) => rule({ name: `r${i}` })),
        vocabulary,
      ),
    ).toEqual([{ path: 'rules', message: 'at most 100 rules, got 101' }]);
  });
});
