import type { RuleSetDefinition } from '../../server/src/engine/ruleset-definition';
import { ok } from './rule-sets';
import type { TestApp } from './test-app';

/*
 * The leads backtests are run on through GraphQL. Five leads created in January 2025, looked at 30 days after creation
 * (and always 1 ms before their outcome):
 *
 *   lead          fit (default rules)                  activities (days after creation)          outcome
 *   late-demo     sweet-spot size, software, VP: 55    pricing view +2, demo request +12         converted +10
 *   early-demo    same: 55                             pricing view +5, demo request +5          converted +15
 *   lost-student  student: -30                         page views +1                             lost +20
 *   open-late     300 staff, software, director: 50    e-mail open +3, demo request +40          open
 *   won-quiet     enterprise, finance, CEO, budget     none                                      converted +25
 *
 * late-demo's demo request came after its conversion and open-late's after the 30 days: neither may
 * count, so only early-demo fires eng-requested-demo.
 */

const DAY = 86_400_000;
const BASE = Date.parse('2025-01-10T09:00:00.000Z');
export const at = (lead: number, days: number) => new Date(BASE + lead * 3_600_000 + days * DAY).toISOString();

export const LEADS = [
  {
    externalId: 'late-demo',
    email: 'ana@late.io',
    attributes: { industry: 'software', companySize: 800, seniority: 'vp' },
    outcome: ['CONVERTED', 10, 5000],
  },
  {
    externalId: 'early-demo',
    email: 'bo@early.io',
    attributes: { industry: 'software', companySize: 800, seniority: 'vp' },
    outcome: ['CONVERTED', 15, 8000],
  },
  {
    externalId: 'lost-student',
    email: 'cy@uni.edu',
    attributes: { industry: 'education', companySize: 20, seniority: 'student' },
    outcome: ['LOST', 20, null],
  },
  {
    externalId: 'open-late',
    email: 'di@open.io',
    attributes: { industry: 'software', companySize: 300, seniority: 'director' },
    outcome: null,
  },
  {
    externalId: 'won-quiet',
    email: 'ed@bank.com',
    attributes: { industry: 'financial_services', companySize: 6000, seniority: 'c_level', budgetConfirmed: true },
    outcome: ['CONVERTED', 25, 120000],
  },
] as const;

export const ACTIVITIES: Array<[lead: number, type: string, days: number]> = [
  [0, 'PRICING_PAGE_VIEW', 2],
  [0, 'DEMO_REQUEST', 12],
  [1, 'PRICING_PAGE_VIEW', 5],
  [1, 'DEMO_REQUEST', 5],
  [2, 'PAGE_VIEW', 1],
  [2, 'PAGE_VIEW', 1.5],
  [3, 'EMAIL_OPEN', 3],
  [3, 'DEMO_REQUEST', 40],
];

export const COHORT = { createdFrom: '2025-01-01T00:00:00Z', createdTo: '2025-02-01T00:00:00Z', cutoffDaysAfterCreation: 30 };

/** Creates the five leads (and one outside the cohort) with their activities and outcomes; answers the active version. */
export async function seedBacktestLeads(
  t: Pick<TestApp, 'gql' | 'sql'>,
): Promise<{ activeVersionId: string; definition: RuleSetDefinition }> {
  for (const lead of LEADS) {
    ok(
      await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
        input: { externalId: lead.externalId, email: lead.email, attributes: lead.attributes },
      }),
    );
  }
  ok(
    await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
      input: { externalId: 'outside', attributes: { industry: 'software' } },
    }),
  );
  // The API creates leads now; these are historical ones.
  for (const [index, lead] of LEADS.entries())
    await t.sql('UPDATE lead SET created_at = $2::timestamptz WHERE external_id = $1', [lead.externalId, at(index, 0)]);
  await t.sql(`UPDATE lead SET created_at = '2025-03-01T00:00:00Z' WHERE external_id = 'outside'`);
  ok(
    await t.gql(`mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { results { duplicate } } }`, {
      input: ACTIVITIES.map(([lead, type, days], k) => ({
        leadExternalId: LEADS[lead].externalId,
        type,
        occurredAt: at(lead, days),
        idempotencyKey: `bt-${k}`,
      })),
    }),
  );
  for (const [index, lead] of LEADS.entries()) {
    if (!lead.outcome) continue;
    const [outcome, days, dealValue] = lead.outcome;
    ok(
      await t.gql(`mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }`, {
        input: { externalId: lead.externalId, outcome, at: at(index, days), dealValue },
      }),
    );
  }
  const { activeRuleSets } = ok(
    await t.gql<{ activeRuleSets: Array<{ versionId: string; definition: RuleSetDefinition }> }>(
      '{ activeRuleSets { versionId definition } }',
    ),
  );
  return { activeVersionId: activeRuleSets[0].versionId, definition: activeRuleSets[0].definition };
}
