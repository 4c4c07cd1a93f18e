import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccountContact, accountFactsRow, CONTRIBUTORS_LIMIT } from './account-facts';
import { factsFromRow, type FactsRow } from './facts';
import type { FactDefinition, RuleSetDefinition } from './ruleset-definition';

/* An account's facts from its attributes and contacts (accountFactsRow), and lead facts about their account. No database. */

const asOf = new Date('2026-03-31T12:00:00.000Z');
const daysAgo = (days: number) => new Date(asOf.getTime() - days * 86_400_000);

const FACTS: FactDefinition[] = [
  { name: 'industry', type: 'string', source: 'attribute' },
  { name: 'headcount', type: 'number', source: 'attribute', attribute: 'employees' },
  { name: 'contacts', type: 'number', source: 'contacts', aggregate: 'count' },
  { name: 'engaged', type: 'number', source: 'contacts', aggregate: 'engagedCount', minEngagement: 20 },
  { name: 'engagedAny', type: 'number', source: 'contacts', aggregate: 'engagedCount' },
  { name: 'committee', type: 'number', source: 'contacts', aggregate: 'sumEngagement', cap: 40 },
  {
    name: 'seniority',
    type: 'number',
    source: 'contacts',
    aggregate: 'maxRank',
    attribute: 'seniority',
    ranks: ['c_level', 'vp', 'director'],
    minEngagement: 20,
  },
  {
    name: 'roles',
    type: 'number',
    source: 'contacts',
    aggregate: 'rolesPresent',
    attribute: 'department',
    roles: ['it', 'finance', 'sales'],
  },
  { name: 'quietDays', type: 'number', source: 'contacts', aggregate: 'daysSinceActive' },
];
const definition = { facts: FACTS };

const contact = (
  leadId: string,
  engagement: number,
  lastActive: number | null,
  attributes: Record<string, unknown> = {},
): AccountContact => ({
  leadId,
  label: `Contact ${leadId}`,
  engagement,
  lastActivityAt: lastActive === null ? null : daysAgo(lastActive),
  attributes,
});

describe('accountFactsRow', () => {
  const contacts = [
    contact('1', 55, 3, { seniority: 'vp', department: 'it' }),
    contact('2', 25, 10, { seniority: 'c_level', department: ['finance', 'it'] }),
    contact('3', 5, 40, { seniority: 'c_level', department: 'marketing' }),
    contact('4', -10, null, { department: 'sales' }),
  ];

  it('aggregates the contacts and reads the account attributes (coerced like lead attributes)', () => {
    const { facts } = accountFactsRow(definition, { attributes: { industry: 'software', employees: '500' } }, contacts, asOf);
    expect(facts).toEqual({
      industry: 'software',
      headcount: null, // a string is not a number: no value, as for leads
      contacts: 4,
      engaged: 2,
      engagedAny: 3,
      committee: 40 + 25 + 5, // each capped at 40, a negative one brings nothing
      seniority: 3, // contact 2, engaged, is c_level (3 ranks - index 0); contact 3, also c_level, is not engaged
      roles: 3,
      quietDays: 3,
    });
  });

  it('names the contacts behind each contacts fact, the most engaged first', () => {
    const { contributors } = accountFactsRow(definition, { attributes: {} }, contacts, asOf);
    const ids = (name: string) => contributors.get(name)?.map((c) => c.leadId);
    expect(ids('contacts')).toEqual(['1', '2', '3', '4']);
    expect(ids('engaged')).toEqual(['1', '2']);
    expect(ids('committee')).toEqual(['1', '2', '3']);
    expect(ids('seniority')).toEqual(['2']);
    expect(ids('roles')).toEqual(['1', '2', '4']);
    expect(ids('quietDays')).toEqual(['1']);
    expect(contributors.get('engaged')?.[0]).toEqual({ leadId: '1', label: 'Contact 1' });
    expect(contributors.has('industry')).toBe(false);
  });

  it('an account without contacts: counts are 0, days since active has no value', () => {
    const { facts, contributors } = accountFactsRow(definition, { attributes: null }, [], asOf);
    expect(facts).toMatchObject({ contacts: 0, engaged: 0, committee: 0, seniority: 0, roles: 0, quietDays: null, industry: null });
    expect(contributors.get('engaged')).toEqual([]);
  });

  it('names at most CONTRIBUTORS_LIMIT contacts', () => {
    const many = Array.from({ length: 50 }, (_, i) => contact(String(i + 1), 30, 1));
    const { facts, contributors } = accountFactsRow(definition, { attributes: {} }, many, asOf);
    expect(facts.engaged).toBe(50);
    expect(contributors.get('engaged')).toHaveLength(CONTRIBUTORS_LIMIT);
  });

  it('sources that do not apply to accounts have no value', () => {
    const { facts } = accountFactsRow(
      { facts: [{ name: 'views', type: 'number', source: 'activity', aggregate: 'count' }] },
      { attributes: {} },
      contacts,
      asOf,
    );
    expect(facts).toEqual({ views: null });
  });

  const contactArb = fc.record({
    leadId: fc.integer({ min: 1, max: 1_000_000 }).map(String),
    label: fc.string({ maxLength: 5 }),
    engagement: fc.integer({ min: -100, max: 200 }),
    lastActivityAt: fc.option(fc.integer({ min: 0, max: 400 }).map(daysAgo), { nil: null }),
    attributes: fc.record({
      seniority: fc.constantFrom('c_level', 'vp', 'director', 'manager', 'other'),
      department: fc.oneof(fc.constantFrom('it', 'finance', 'sales', 'hr'), fc.array(fc.constantFrom('it', 'finance', 'hr'))),
    }),
  });

  it('property: bounded by the contacts (engaged ≤ count, sum ≤ cap × contacts, roles ≤ listed roles, rank ≤ ranks)', () => {
    fc.assert(
      fc.property(fc.array(contactArb, { maxLength: 30 }), fc.integer({ min: 1, max: 100 }), (list, cap) => {
        const facts: FactDefinition[] = FACTS.map((fact) =>
          fact.source === 'contacts' && fact.aggregate === 'sumEngagement' ? { ...fact, cap } : fact,
        );
        const { facts: values, contributors } = accountFactsRow({ facts }, { attributes: {} }, list, asOf);
        const n = list.length;
        expect(values.contacts).toBe(n);
        expect(values.engaged as number).toBeLessThanOrEqual(values.engagedAny as number);
        expect(values.engagedAny as number).toBeLessThanOrEqual(n);
        expect(values.committee as number).toBeGreaterThanOrEqual(0);
        expect(values.committee as number).toBeLessThanOrEqual(cap * n);
        expect(values.roles as number).toBeLessThanOrEqual(3);
        expect(values.seniority as number).toBeGreaterThanOrEqual(0);
        expect(values.seniority as number).toBeLessThanOrEqual(3);
        expect(values.quietDays === null).toBe(list.every((c) => c.lastActivityAt === null));
        for (const refs of contributors.values()) expect(refs.length).toBeLessThanOrEqual(Math.min(n, CONTRIBUTORS_LIMIT));
      }),
    );
  });

  it('property: the order of the contacts does not change the facts', () => {
    fc.assert(
      fc.property(fc.array(contactArb, { maxLength: 20 }), (list) => {
        const forward = accountFactsRow(definition, { attributes: {} }, list, asOf).facts;
        const backward = accountFactsRow(definition, { attributes: {} }, [...list].reverse(), asOf).facts;
        expect(backward).toEqual(forward);
      }),
    );
  });
});

describe('lead facts about their account (factsFromRow)', () => {
  const lead = {
    formatVersion: 1,
    key: 'k',
    name: 'k',
    facts: [
      { name: 'accountFitGrade', type: 'string', source: 'account', field: 'fitGrade' },
      { name: 'accountQualified', type: 'boolean', source: 'account', field: 'qualified' },
      { name: 'accountTotal', type: 'number', source: 'account', field: 'total' },
      { name: 'accountIndustry', type: 'string', source: 'accountAttribute', attribute: 'industry' },
      { name: 'employees', type: 'number', source: 'accountAttribute' },
    ],
  } as unknown as RuleSetDefinition;
  const row = (extra: Partial<FactsRow>): FactsRow => ({
    lead_id: '1',
    email: 'a@b.com',
    segment: null,
    source: null,
    attributes: {},
    created_at: asOf,
    last_activity_at: null,
    ...extra,
  });

  it("reads the account's score and attributes", () => {
    const facts = factsFromRow(
      lead,
      row({
        account_attributes: { industry: 'software', employees: 300 },
        account_score: { fitGrade: 'A', qualified: true, total: 120 },
      }),
      asOf,
    );
    expect(facts).toEqual({ accountFitGrade: 'A', accountQualified: true, accountTotal: 120, accountIndustry: 'software', employees: 300 });
  });

  it('a lead without an account, or an account without a score: no values', () => {
    expect(Object.values(factsFromRow(lead, row({ account_attributes: null, account_score: null }), asOf))).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(factsFromRow(lead, row({ account_attributes: { industry: 'retail' }, account_score: null }), asOf).accountFitGrade).toBeNull();
  });
});
