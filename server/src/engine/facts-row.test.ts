import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { daysInactive, factsFromRow, wholeDaysBetween, type FactsRow } from './facts';
import { RuleSetEvaluator } from './rule-engine';
import { definition, rule } from './testing/semantics';

/* The facts a rule set sees, shaped from a row of the facts query (factsFromRow), and day counting. No database. */

describe('facts from a facts-query row', () => {
  const factsDefinition = definition({
    facts: [
      { name: 'companySize', type: 'number', source: 'attribute' },
      { name: 'headcount', type: 'number', source: 'attribute', attribute: 'companySize' },
      { name: 'jobTitle', type: 'string', source: 'attribute' },
      { name: 'budgetConfirmed', type: 'boolean', source: 'attribute' },
      { name: 'technologies', type: 'string[]', source: 'attribute' },
      { name: 'contractRenewalDate', type: 'date', source: 'attribute' },
      { name: 'emailDomain', type: 'string', source: 'lead', field: 'emailDomain' },
      { name: 'isFreeEmail', type: 'boolean', source: 'lead', field: 'isFreeEmail' },
      { name: 'daysSinceCreated', type: 'number', source: 'lead', field: 'daysSinceCreated' },
      { name: 'segment', type: 'string', source: 'lead', field: 'segment' },
      { name: 'leadOrigin', type: 'string', source: 'lead', field: 'source' },
      { name: 'pageViews30d', type: 'number', source: 'activity', aggregate: 'count', activityTypes: ['page_view'], windowDays: 30 },
      { name: 'requestedDemo', type: 'boolean', source: 'activity', aggregate: 'exists', activityTypes: ['demo_request'] },
      { name: 'daysSinceLastActivity', type: 'number', source: 'activity', aggregate: 'daysSinceLast' },
      {
        name: 'webinarMinutes',
        type: 'number',
        source: 'activity',
        aggregate: 'sum',
        activityTypes: ['webinar_attendance'],
        property: 'minutes',
      },
      { name: 'unsubscribed', type: 'boolean', source: 'activity', aggregate: 'exists', activityTypes: ['unsubscribe'] },
    ],
  });
  const asOf = new Date('2025-03-31T12:00:00.000Z');

  function row(overrides: Partial<FactsRow> = {}): FactsRow {
    return {
      lead_id: '1',
      email: 'ana@acme.io',
      segment: 'enterprise',
      source: 'api',
      attributes: {},
      created_at: new Date('2025-03-01T12:00:00.000Z'),
      last_activity_at: null,
      f0: 0,
      f1: 0,
      f2: null,
      f3: 0,
      f4: 0,
      ...overrides,
    };
  }

  it('the facts definition is valid', () => {
    expect(validateRuleSetDefinition(factsDefinition)).toEqual([]);
  });

  it('reads attributes, lead fields and activity aggregates (f0.. in the order of the activity facts)', () => {
    const facts = factsFromRow(
      factsDefinition,
      row({
        email: 'Ana@Gmail.COM',
        attributes: {
          companySize: 250,
          jobTitle: 'Head of Sales',
          budgetConfirmed: false,
          technologies: ['salesforce', 'segment'],
          contractRenewalDate: '2025-09-30',
        },
        created_at: new Date('2025-03-01T12:00:01.000Z'),
        last_activity_at: new Date('2025-03-29T13:00:00.000Z'),
        f0: 12,
        f1: 1,
        f2: new Date('2025-03-29T13:00:00.000Z'),
        f3: 75.5,
        f4: 0,
      }),
      asOf,
    );
    expect(facts).toEqual({
      companySize: 250,
      headcount: 250,
      jobTitle: 'Head of Sales',
      budgetConfirmed: false,
      technologies: ['salesforce', 'segment'],
      contractRenewalDate: '2025-09-30',
      emailDomain: 'gmail.com',
      isFreeEmail: true,
      daysSinceCreated: 29,
      segment: 'enterprise',
      leadOrigin: 'api',
      pageViews30d: 12,
      requestedDemo: true,
      daysSinceLastActivity: 1,
      webinarMinutes: 75.5,
      unsubscribed: false,
    });
  });

  it('missing attributes are null, never absent', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: {} }), asOf);
    for (const name of ['companySize', 'headcount', 'jobTitle', 'budgetConfirmed', 'technologies', 'contractRenewalDate']) {
      expect(facts, name).toHaveProperty(name, null);
    }
    expect(Object.keys(facts).sort()).toEqual(factsDefinition.facts.map((f) => f.name).sort());
  });

  it('attributes explicitly null are null', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { companySize: null, jobTitle: null, technologies: null } }), asOf);
    expect([facts.companySize, facts.jobTitle, facts.technologies]).toEqual([null, null, null]);
  });

  it.each<[string, string, unknown]>([
    ['number given as a string', 'companySize', '250'],
    ['number that is not finite', 'companySize', Number.POSITIVE_INFINITY],
    ['number that is NaN', 'companySize', Number.NaN],
    ['string given as a number', 'jobTitle', 42],
    ['boolean given as a string', 'budgetConfirmed', 'yes'],
    ['boolean given as a number', 'budgetConfirmed', 1],
    ['string[] given as one string', 'technologies', 'salesforce'],
    ['string[] with a non-string item', 'technologies', ['salesforce', 1]],
    ['date given as a number', 'contractRenewalDate', 20250930],
  ])('a wrong-typed attribute is null: %s', (_description, attribute, value) => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { [attribute]: value } }), asOf);
    expect(facts[attribute]).toBeNull();
  });

  it('an attribute fact reads the attribute it names, defaulting to its own name', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { companySize: 40, headcount: 99 } }), asOf);
    expect(facts.companySize).toBe(40);
    expect(facts.headcount).toBe(40);
  });

  it.each<[string | null, string | null, boolean | null]>([
    ['bob@acme.io', 'acme.io', false],
    ['ana@gmail.com', 'gmail.com', true],
    ['ANA@YAHOO.COM', 'yahoo.com', true],
    ['someone@proton.me', 'proton.me', true],
    ['not-an-email', null, null],
    [null, null, null],
  ])('email %s: emailDomain %s, isFreeEmail %s', (email, domain, free) => {
    const facts = factsFromRow(factsDefinition, row({ email }), asOf);
    expect(facts.emailDomain).toBe(domain);
    expect(facts.isFreeEmail).toBe(free);
  });

  it('segment and source are null when the lead has none', () => {
    const facts = factsFromRow(factsDefinition, row({ segment: null, source: null }), asOf);
    expect(facts.segment).toBeNull();
    expect(facts.leadOrigin).toBeNull();
  });

  it('daysSinceCreated counts whole days (floors)', () => {
    const created = (iso: string) => factsFromRow(factsDefinition, row({ created_at: new Date(iso) }), asOf).daysSinceCreated;
    expect(created('2025-03-31T12:00:00.000Z')).toBe(0);
    expect(created('2025-03-30T12:00:00.001Z')).toBe(0);
    expect(created('2025-03-30T12:00:00.000Z')).toBe(1);
    expect(created('2024-03-31T12:00:00.000Z')).toBe(365);
  });

  it('a lead without activity: counts and sums 0, exists false, daysSinceLast null', () => {
    const facts = factsFromRow(factsDefinition, row({ f0: 0, f1: 0, f2: null, f3: 0, f4: 0 }), asOf);
    expect(facts.pageViews30d).toBe(0);
    expect(facts.requestedDemo).toBe(false);
    expect(facts.daysSinceLastActivity).toBeNull();
    expect(facts.webinarMinutes).toBe(0);
    expect(facts.unsubscribed).toBe(false);
  });

  it('aggregate columns that are missing or null count as 0 / false / null', () => {
    const bare: FactsRow = {
      lead_id: '1',
      email: null,
      segment: null,
      source: null,
      attributes: {},
      created_at: new Date('2025-03-01T12:00:00.000Z'),
      last_activity_at: null,
    };
    const facts = factsFromRow(factsDefinition, bare, asOf);
    expect([facts.pageViews30d, facts.requestedDemo, facts.daysSinceLastActivity, facts.webinarMinutes, facts.unsubscribed]).toEqual([
      0,
      false,
      null,
      0,
      false,
    ]);
  });

  it('exists is a boolean: true for any positive count', () => {
    const facts = factsFromRow(factsDefinition, row({ f1: 3, f4: 1 }), asOf);
    expect(facts.requestedDemo).toBe(true);
    expect(facts.unsubscribed).toBe(true);
  });

  it('daysSinceLast accepts a Date or an ISO string and floors', () => {
    const asDate = factsFromRow(factsDefinition, row({ f2: new Date('2025-03-24T12:00:00.001Z') }), asOf);
    const asString = factsFromRow(factsDefinition, row({ f2: '2025-03-24T12:00:00.000Z' }), asOf);
    expect(asDate.daysSinceLastActivity).toBe(6);
    expect(asString.daysSinceLastActivity).toBe(7);
  });

  it('facts from a row feed the evaluator: a lead without data fires only the rules built for missing values', async () => {
    const def = definition({
      facts: factsDefinition.facts,
      rules: [
        rule('no-size', { all: [{ fact: 'companySize', operator: 'isEmpty', value: true }] }, -5),
        rule('small', { all: [{ fact: 'companySize', operator: 'lessThan', value: 50 }] }, -10),
        rule('quiet', { all: [{ fact: 'daysSinceLastActivity', operator: 'greaterThan', value: 90 }] }, -10, 'engagement'),
        rule('never-demo', { all: [{ fact: 'requestedDemo', operator: 'equal', value: false }] }, -1, 'engagement'),
      ],
    });
    const facts = factsFromRow(def, row({ email: null }), asOf);
    const { fired } = await new RuleSetEvaluator(def).evaluate(facts);
    expect(fired.map((f) => f.rule)).toEqual(['no-size', 'never-demo']);
  });
});

describe('wholeDaysBetween and daysInactive', () => {
  const from = new Date('2025-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(from.getTime() + ms);
  const DAY = 86_400_000;

  it.each<[string, number, number]>([
    ['the same instant', 0, 0],
    ['one millisecond short of a day', DAY - 1, 0],
    ['exactly one day', DAY, 1],
    ['one millisecond short of two days', 2 * DAY - 1, 1],
    ['thirty days and a half', 30.5 * DAY, 30],
  ])('%s is %i whole days (floors)', (_description, ms, days) => {
    expect(wholeDaysBetween(from, at(ms))).toBe(days);
  });

  it('is never negative when "to" is before "from"', () => {
    expect(wholeDaysBetween(from, at(-3 * DAY))).toBe(0);
  });

  it('daysInactive counts from the last activity, or from creation when there is none', () => {
    const asOf = new Date('2025-03-31T12:00:00.000Z');
    const created_at = new Date('2025-01-30T12:00:00.000Z');
    expect(daysInactive({ created_at, last_activity_at: new Date('2025-03-21T12:00:00.000Z') }, asOf)).toBe(10);
    expect(daysInactive({ created_at, last_activity_at: null }, asOf)).toBe(60);
  });
});
