import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/test-app';
import { REPO_ROOT } from '../common/paths';
import { buildFactsQuery, daysInactive, factsFromRow, type FactsRow } from '../engine/facts';
import type { Facts } from '../engine/rule-engine';
import type { ActivityFact, RuleSetDefinition } from '../engine/ruleset-definition';
import type { CohortSnapshot } from './cohort-snapshot';
import type { CohortSpec } from './cohort-spec';
import { containsScalars, createSnapshotFacts } from './snapshot-facts';

/*
 * snapshot-facts.ts must compute exactly what engine/facts.ts computes in SQL for the same lead
 * as of the same time. Both run here on the same leads (embedded PostgreSQL, or PostgreSQL with
 * DATABASE_URL): activities placed on the boundaries (the cutoff itself, 1 ms and 1 µs either side
 * of a window's start, after the outcome), property objects that do and do not match `where`, and
 * a few hundred activities at seeded random times.
 */

const DEFAULT = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleSetDefinition;

const extra = (fact: Omit<ActivityFact, 'source' | 'label'>): ActivityFact => ({ ...fact, source: 'activity', label: fact.name });
const EXTRA_FACTS: ActivityFact[] = [
  extra({ name: 'allCount', type: 'number', aggregate: 'count' }),
  extra({ name: 'allCount1d', type: 'number', aggregate: 'count', windowDays: 1 }),
  extra({ name: 'allCount7d', type: 'number', aggregate: 'count', windowDays: 7 }),
  extra({ name: 'anyActivity30d', type: 'boolean', aggregate: 'exists', windowDays: 30 }),
  extra({ name: 'daysSinceAny', type: 'number', aggregate: 'daysSinceLast' }),
  extra({ name: 'daysSinceDownload', type: 'number', aggregate: 'daysSinceLast', activityTypes: ['content_download'] }),
  extra({ name: 'daysSincePricing7d', type: 'number', aggregate: 'daysSinceLast', activityTypes: ['pricing_page_view'], windowDays: 7 }),
  extra({ name: 'caseStudies', type: 'number', aggregate: 'count', where: { contentType: 'case_study' } }),
  extra({
    name: 'caseStudyDownloads30d',
    type: 'boolean',
    aggregate: 'exists',
    activityTypes: ['content_download'],
    where: { contentType: 'case_study' },
    windowDays: 30,
  }),
  extra({ name: 'bigCaseStudies', type: 'number', aggregate: 'count', where: { contentType: 'case_study', pages: 12 } }),
  extra({ name: 'flagged', type: 'number', aggregate: 'count', where: { flag: true } }),
  extra({ name: 'minutes', type: 'number', aggregate: 'sum', property: 'minutesAttended' }),
  extra({
    name: 'minutes30d',
    type: 'number',
    aggregate: 'sum',
    activityTypes: ['webinar_attendance'],
    property: 'minutesAttended',
    windowDays: 30,
  }),
  extra({ name: 'minutesLongWebinars', type: 'number', aggregate: 'sum', property: 'minutesAttended', where: { webinar: 'long' } }),
  extra({
    name: 'lastWebinarDays',
    type: 'number',
    aggregate: 'daysSinceLast',
    activityTypes: ['webinar_attendance', 'webinar_registration'],
  }),
];
const DEFINITION: RuleSetDefinition = {
  ...DEFAULT,
  facts: [
    ...DEFAULT.facts,
    { name: 'emailDomain', label: 'Domain', type: 'string', source: 'lead', field: 'emailDomain' },
    { name: 'segment', label: 'Segment', type: 'string', source: 'lead', field: 'segment' },
    { name: 'source', label: 'Source', type: 'string', source: 'lead', field: 'source' },
    ...EXTRA_FACTS,
  ],
};

const CUTOFF = '2025-03-01T12:00:00.000Z';
const T = `timestamptz '${CUTOFF}'`;

/** Activities placed on the boundaries for lead 'edge-1' (and one after its cutoff). */
const EDGE_ACTIVITIES: Array<[type: string, at: string, properties: object]> = [
  ['page_view', `${T}`, {}], // at the cutoff: counted
  ['page_view', `${T} + interval '1 millisecond'`, {}], // after: not counted
  ['page_view', `${T} - interval '1 day'`, {}], // exactly 1 day: outside a 1-day window
  ['email_open', `${T} - interval '1 day' + interval '1 microsecond'`, {}], // inside it, by 1 µs
  ['pricing_page_view', `${T} - interval '7 days' + interval '1 millisecond'`, { url: '/pricing' }],
  ['pricing_page_view', `${T} - interval '7 days'`, { url: '/pricing' }],
  ['content_download', `${T} - interval '30 days'`, { contentType: 'case_study' }],
  ['content_download', `${T} - interval '30 days' + interval '1 microsecond'`, { contentType: 'case_study', pages: 12 }],
  ['content_download', `${T} - interval '2 days' + interval '999 microseconds'`, { contentType: ['case_study'] }], // an array never equals a scalar
  ['content_download', `${T} - interval '3 days'`, { contentType: 'case_study', pages: 12.0 }],
  ['content_download', `${T} - interval '4 days'`, { contentType: 'ebook', flag: true }],
  ['content_download', `${T} - interval '5 days'`, { contentType: 'case_study', flag: 'true' }], // a string is not true
  ['webinar_attendance', `${T} - interval '6 days'`, { webinar: 'long', minutesAttended: 45 }],
  ['webinar_attendance', `${T} - interval '40 days'`, { webinar: 'long', minutesAttended: 30.5 }],
  ['webinar_attendance', `${T} - interval '10 days'`, { webinar: 'short', minutesAttended: '20' }], // not a number: not summed
  ['webinar_attendance', `${T} - interval '11 days'`, { webinar: 'short', minutesAttended: [5] }],
  ['webinar_attendance', `${T} - interval '12 days'`, { webinar: 'short', minutesAttended: 0.25 }],
  ['webinar_registration', `${T} - interval '50 days'`, { webinar: 'long' }],
  ['mystery_type', `${T} - interval '8 hours'`, { minutesAttended: 7 }], // a type the catalog does not know
];

const TYPES = [
  'page_view',
  'pricing_page_view',
  'email_open',
  'content_download',
  'webinar_attendance',
  'webinar_registration',
  'demo_request',
  'unsubscribe',
  'mystery_type',
];
const PROPERTIES: object[] = [
  {},
  { contentType: 'case_study' },
  { contentType: 'case_study', pages: 12 },
  { contentType: 'whitepaper', pages: 12 },
  { flag: true },
  { flag: false },
  { webinar: 'long', minutesAttended: 15 },
  { webinar: 'long', minutesAttended: 2.5 },
  { webinar: 'short', minutesAttended: 60 },
  { minutesAttended: null },
  { nested: { contentType: 'case_study' } },
];

let t: TestApp;

/** Attributes of the right types, of the wrong ones (a fact then reads null), and missing. */
const ATTRIBUTES: object[] = [
  { industry: 'software', companySize: 250, seniority: 'vp', technologies: ['salesforce', 'snowflake'], budgetConfirmed: true },
  { industry: 'software', companySize: '250', seniority: 'student', technologies: [1, 'hubspot'], budgetConfirmed: 'yes', timeline: null },
  { industry: 'retail', companySize: 12000.5, technologies: 'salesforce', budgetConfirmed: false, country: 'DE' },
  { industry: 'software' },
];

async function insertLead(
  externalId: string,
  createdAt: string,
  extraColumns: { outcome?: string; outcomeAt?: string; email?: string | null; attributes?: object } = {},
): Promise<string> {
  const [row] = await t.sql<{ id: string }>(
    `INSERT INTO lead (external_id, email, segment, source, attributes, outcome, outcome_at, created_at)
     VALUES ($1, $2, 'smb', 'web', $6::jsonb, $3, $4::timestamptz, $5::timestamptz)
     RETURNING id::text AS id`,
    [
      externalId,
      extraColumns.email === undefined ? `${externalId}@acme.io` : extraColumns.email,
      extraColumns.outcome ?? 'open',
      extraColumns.outcomeAt ?? null,
      createdAt,
      JSON.stringify(extraColumns.attributes ?? ATTRIBUTES[0]),
    ],
  );
  return row.id;
}

async function insertActivity(leadId: string, type: string, atSql: string, properties: object, key: string): Promise<void> {
  await t.sql(
    `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties) VALUES ($1::bigint, $2, ${atSql}, $3, $4::jsonb)`,
    [leadId, type, key, JSON.stringify(properties)],
  );
}

/** facts.ts on the database for every lead of the snapshot, as of its cutoff. */
async function sqlFacts(snapshot: CohortSnapshot): Promise<Array<{ facts: Facts; daysInactive: number }>> {
  const query = buildFactsQuery(DEFINITION);
  const byCutoff = new Map<number, number[]>();
  for (let i = 0; i < snapshot.size; i++) byCutoff.set(snapshot.cutoffAt[i], [...(byCutoff.get(snapshot.cutoffAt[i]) ?? []), i]);
  const out: Array<{ facts: Facts; daysInactive: number }> = new Array(snapshot.size);
  for (const [cutoff, indexes] of byCutoff) {
    const asOf = new Date(cutoff);
    const rows: FactsRow[] = await t.sql(
      query.sql,
      query.params(
        asOf,
        indexes.map((i) => snapshot.leadIds[i]),
      ),
    );
    const byId = new Map(rows.map((row) => [row.lead_id, row]));
    for (const i of indexes) {
      const row = byId.get(snapshot.leadIds[i])!;
      out[i] = { facts: factsFromRow(DEFINITION, row, asOf), daysInactive: daysInactive(row, asOf) };
    }
  }
  return out;
}

function snapshotFacts(snapshot: CohortSnapshot): Array<{ facts: Facts; daysInactive: number }> {
  const facts = createSnapshotFacts(DEFINITION, snapshot);
  return Array.from({ length: snapshot.size }, (_, i) => ({ facts: facts.factsOf(i), daysInactive: facts.daysInactiveOf(i) }));
}

async function prepare(spec: CohortSpec): Promise<CohortSnapshot> {
  const cohort = await t.app.services.backtests.prepareCohort(spec, 'user:test');
  return t.app.services.backtests.loadSnapshot(cohort);
}

beforeAll(async () => {
  t = await createTestApp();
  const edge = await insertLead('edge-1', '2025-01-01T00:00:00Z');
  for (const [index, [type, at, properties]] of EDGE_ACTIVITIES.entries())
    await insertActivity(edge, type, at, properties, `edge-${index}`);
  // Converted 10 days before the cutoff: looked at 1 ms before, so the demo request at the very
  // moment of conversion, and everything later, must not count.
  const won = await insertLead('won-1', '2025-01-05T00:00:00Z', { outcome: 'converted', outcomeAt: '2025-02-19T12:00:00.000Z' });
  await insertActivity(won, 'pricing_page_view', `timestamptz '2025-02-19T12:00:00Z' - interval '1 millisecond'`, {}, 'won-a');
  await insertActivity(won, 'demo_request', `timestamptz '2025-02-19T12:00:00Z'`, {}, 'won-b');
  await insertActivity(won, 'webinar_attendance', `timestamptz '2025-02-25T12:00:00Z'`, { minutesAttended: 50 }, 'won-c');
  await insertLead('quiet-1', '2025-02-10T08:00:00.123456Z', { email: 'someone@gmail.com' }); // no activity; µs creation time

  // Seeded random leads and activities, some with microsecond timestamps.
  const leads = fc.sample(
    fc.record({
      createdDaysBefore: fc.integer({ min: 1, max: 80 }),
      outcome: fc.constantFrom('open', 'open', 'converted', 'lost'),
      outcomeDaysBefore: fc.integer({ min: -20, max: 60 }),
      attributes: fc.nat({ max: ATTRIBUTES.length - 1 }),
      email: fc.constantFrom<string | null>('x@acme.io', 'y@GMAIL.com', null, 'no-at-sign'),
      activities: fc.array(
        fc.record({
          type: fc.constantFrom(...TYPES),
          ms: fc.integer({ min: -20 * 86_400_000, max: 100 * 86_400_000 }),
          us: fc.integer({ min: 0, max: 999 }),
          p: fc.nat({ max: PROPERTIES.length - 1 }),
        }),
        { maxLength: 14 },
      ),
    }),
    { seed: 424242, numRuns: 40 },
  );
  for (const [n, lead] of leads.entries()) {
    const created = new Date(Date.parse(CUTOFF) - lead.createdDaysBefore * 86_400_000).toISOString();
    const outcomeAt =
      lead.outcome === 'open' ? undefined : new Date(Date.parse(CUTOFF) - lead.outcomeDaysBefore * 86_400_000 + n).toISOString();
    const id = await insertLead(`rnd-${n}`, created, {
      outcome: lead.outcome,
      outcomeAt,
      attributes: ATTRIBUTES[lead.attributes],
      email: lead.email,
    });
    for (const [k, activity] of lead.activities.entries()) {
      await insertActivity(
        id,
        activity.type,
        `${T} - make_interval(secs => ${activity.ms / 1000}) + make_interval(secs => ${activity.us / 1e6})`,
        PROPERTIES[activity.p],
        `rnd-${n}-${k}`,
      );
    }
  }
});

afterAll(async () => {
  await t?.close();
});

describe('snapshot facts equal the SQL facts', () => {
  it('at a fixed cutoff (before the outcome for decided leads)', async () => {
    const snapshot = await prepare({
      createdFrom: '2024-12-01T00:00:00.000Z',
      createdTo: '2025-03-01T00:00:00.000Z',
      source: null,
      segment: null,
      attributes: [],
      cutoff: { kind: 'fixed', at: CUTOFF },
    });
    expect(snapshot.size).toBe(43);
    const expected = await sqlFacts(snapshot);
    const actual = snapshotFacts(snapshot);
    for (let i = 0; i < snapshot.size; i++)
      expect({ lead: snapshot.externalIds[i], ...actual[i] }).toEqual({ lead: snapshot.externalIds[i], ...expected[i] });

    // The boundary lead, by hand (18 of its 19 activities are at or before the cutoff).
    const edge = actual[snapshot.externalIds.indexOf('edge-1')];
    expect(edge.facts).toMatchObject({
      allCount: 18,
      allCount1d: 3, // the cutoff itself, 1 day minus 1 µs, 8 hours; not exactly 1 day
      allCount7d: 10, // 7 days minus 1 ms counts, exactly 7 days does not
      anyActivity30d: true,
      daysSinceAny: 0,
      daysSincePricing7d: 6, // 7 days minus 1 ms ago
      daysSinceDownload: 2, // 2 days minus 999 µs ago: the driver reads it as exactly 2 days
      caseStudies: 4, // not the array, not the ebook
      caseStudyDownloads30d: true, // 30 days minus 1 µs
      bigCaseStudies: 2, // pages 12 and 12.0
      flagged: 1, // true, not "true"
      minutes: 82.75, // 45 + 30.5 + 0.25 + 7; not "20", not [5]
      minutes30d: 45.25,
      minutesLongWebinars: 75.5,
      lastWebinarDays: 6,
      pageViews30d: 2,
      pricingViews14d: 2,
      downloads90d: 6,
      caseStudyDownloads90d: 4,
      webinarsAttended90d: 5,
      webinarMinutes90d: 75.75,
      daysSinceLastActivity: 0,
      daysSinceCreated: 59,
      technologies: ['salesforce', 'snowflake'],
      budgetConfirmed: true,
      companySize: 250,
      emailDomain: 'acme.io',
      isFreeEmail: false,
      segment: 'smb',
      source: 'web',
    });
    expect(edge.daysInactive).toBe(0);

    // Converted at 2025-02-19T12:00:00Z: looked at 1 ms before. The pricing view at that very
    // millisecond counts; the demo request at the conversion and the webinar after it do not.
    const won = snapshot.externalIds.indexOf('won-1');
    expect(new Date(snapshot.cutoffAt[won]).toISOString()).toBe('2025-02-19T11:59:59.999Z');
    expect(actual[won].facts).toMatchObject({ pricingViews14d: 1, requestedDemo: false, webinarMinutes90d: 0, daysSinceLastActivity: 0 });

    const quiet = actual[snapshot.externalIds.indexOf('quiet-1')];
    expect(quiet.facts).toMatchObject({ allCount: 0, daysSinceAny: null, isFreeEmail: true, daysSinceCreated: 19 });
    expect(quiet.daysInactive).toBe(19);
  });

  it('N days after each lead’s creation', async () => {
    const snapshot = await prepare({
      createdFrom: '2024-12-01T00:00:00.000Z',
      createdTo: '2025-03-01T00:00:00.000Z',
      source: 'web',
      segment: 'smb',
      attributes: [{ name: 'industry', value: 'software' }],
      cutoff: { kind: 'daysAfterCreation', days: 20 },
    });
    const [{ software }] = await t.sql<{ software: number }>(
      `SELECT count(*)::int AS software FROM lead WHERE attributes ->> 'industry' = 'software'`,
    );
    expect(snapshot.size).toBe(software);
    expect(software).toBeGreaterThan(20);
    expect(new Set(snapshot.cutoffAt).size).toBeGreaterThan(20);
    const quiet = snapshot.externalIds.indexOf('quiet-1');
    // Created at .123456: 20 days later, in whole milliseconds.
    expect(new Date(snapshot.cutoffAt[quiet]).toISOString()).toBe('2025-03-02T08:00:00.123Z');
    const expected = await sqlFacts(snapshot);
    const actual = snapshotFacts(snapshot);
    for (let i = 0; i < snapshot.size; i++)
      expect({ lead: snapshot.externalIds[i], ...actual[i] }).toEqual({ lead: snapshot.externalIds[i], ...expected[i] });
  });
});

describe('containsScalars', () => {
  it('is jsonb containment for flat objects of scalars', () => {
    expect(containsScalars({ a: 1, b: 'x' }, { a: 1 })).toBe(true);
    expect(containsScalars({ a: [1] }, { a: 1 })).toBe(false);
    expect(containsScalars({ a: '1' }, { a: 1 })).toBe(false);
    expect(containsScalars({}, { a: false })).toBe(false);
    expect(containsScalars({ a: false }, { a: false })).toBe(true);
  });
});
