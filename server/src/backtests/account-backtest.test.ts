import { describe, expect, it } from 'vitest';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { computeAccountResults, contactEngagement, scoreAccounts, selectAccounts } from './account-backtest';
import type { AccountCohort } from './account-cohort-store';
import { defaultEvaluatorFactory } from './cohort-scoring';
import { activityTypeCode, SnapshotBuilder } from './cohort-snapshot';

const DAY = 86_400_000;
const CUTOFF = Date.parse('2025-03-01T00:00:00Z');

const GRADING = {
  caps: { fit: { min: 0, max: 100 }, engagement: { min: 0, max: 100 } },
  decay: { model: 'none' },
  grades: { A: 60, B: 40, C: 20 },
  levels: { '1': 60, '2': 35, '3': 15 },
  cells: Object.fromEntries(
    ['A', 'B', 'C', 'D'].flatMap((g) => ['1', '2', '3', '4'].map((l) => [`${g}${l}`, { action: 'act', label: 'Act' }])),
  ),
  bands: [{ name: 'hot', min: 50 }, { name: 'cold' }],
  qualification: { threshold: 50, label: 'Qualified' },
};

/** Contacts: a demo request is worth 40 engagement points. */
const LEAD_MODEL = {
  formatVersion: 1,
  key: 'lead',
  name: 'Lead',
  facts: [{ name: 'demo', type: 'boolean', source: 'activity', aggregate: 'exists', activityTypes: ['demo_request'] }],
  rules: [
    {
      name: 'eng-demo',
      conditions: { all: [{ fact: 'demo', operator: 'equal', value: true }] },
      event: { type: 'score', params: { dimension: 'engagement', points: 40, label: 'Demo' } },
    },
  ],
  ...GRADING,
} as unknown as RuleSetDefinition;

/** Accounts: 60 points with two contacts at 20 engagement or more; halves after 10 quiet days. */
const ACCOUNT_MODEL = {
  formatVersion: 1,
  subject: 'account',
  key: 'account',
  name: 'Account',
  facts: [{ name: 'engaged', type: 'number', source: 'contacts', aggregate: 'engagedCount', minEngagement: 20 }],
  rules: [
    {
      name: 'eng-committee',
      conditions: { all: [{ fact: 'engaged', operator: 'greaterThanInclusive', value: 2 }] },
      event: { type: 'score', params: { dimension: 'engagement', points: 60, label: 'Committee' } },
    },
  ],
  ...GRADING,
  decay: { model: 'halfLife', halfLifeDays: 10, graceDays: 0 },
} as unknown as RuleSetDefinition;

/** Three accounts: 0 has two contacts with demo requests (3 and 13 days before the cutoff), 1 one, 2 none. */
function cohort(): AccountCohort {
  const contacts: Array<[account: number, demoDaysBefore: number | null]> = [
    [0, 3],
    [0, 13],
    [1, 2],
    [1, null],
    [2, null],
  ];
  const builder = new SnapshotBuilder(8);
  for (const [i, [, days]] of contacts.entries()) {
    builder.add({
      lead_id: String(i + 1),
      external_id: `c${i + 1}`,
      email: `c${i + 1}@acme.io`,
      segment: null,
      source: null,
      attributes: {},
      created_ms: CUTOFF - 30 * DAY,
      cutoff_ms: CUTOFF,
      converted: false,
      decided: false,
      deal_value: null,
      activity_types: days === null ? '' : String(activityTypeCode('demo_request')),
      activity_age_ms: days === null ? '' : String(days * DAY),
      activity_properties: days === null ? '' : '0',
    });
  }
  const snapshot = builder.build({ cohortId: '1', checksum: 'x', properties: [{}] });
  return {
    contacts: snapshot,
    size: 3,
    accountIds: ['10', '11', '12'],
    labels: ['a', 'b', 'c'],
    attributes: [{}, {}, {}],
    cutoffAt: Float64Array.of(CUTOFF, CUTOFF, CUTOFF),
    firstContactAt: Float64Array.of(CUTOFF - 30 * DAY, CUTOFF - 30 * DAY, CUTOFF - 30 * DAY),
    converted: Uint8Array.of(1, 0, 0),
    decided: Uint8Array.of(1, 1, 0),
    dealValue: Float64Array.of(5000, 0, 0),
    contactOffsets: Uint32Array.of(0, 2, 4, 5),
    contactIndexes: Uint32Array.of(0, 1, 2, 3, 4),
  };
}

describe('account backtests', () => {
  it('takes each contact’s engagement as of the cutoff under the default model of its segment', async () => {
    const engagement = await contactEngagement(cohort().contacts, () => LEAD_MODEL);
    expect([...engagement]).toEqual([40, 40, 40, 0, 0]);
  });

  it('scores an account from its contacts, decaying from the last activity of any contact', async () => {
    const accounts = cohort();
    const scores = await scoreAccounts(ACCOUNT_MODEL, accounts, Float64Array.of(40, 40, 40, 0, 0), defaultEvaluatorFactory);
    // Account 0: both contacts engaged, last active 3 days before the cutoff: 60 halved by 0.3 of a half-life.
    expect(scores.engagement[0]).toBe(Math.round(60 * 0.5 ** (3 / 10)));
    expect([...scores.engagement.slice(1)]).toEqual([0, 0]);
    expect([...scores.fired]).toEqual([1, 0, 0]);
  });

  it('measures the decided accounts only when open ones are left out', async () => {
    const accounts = cohort();
    expect([...selectAccounts(accounts, 'excluded')]).toEqual([0, 1]);
    const results = await computeAccountResults({
      candidate: ACCOUNT_MODEL,
      baseline: null,
      cohort: accounts,
      engagement: Float64Array.of(40, 40, 40, 0, 0),
      loadCohortMs: 0,
      options: { openLeads: 'excluded' },
      evaluatorFactory: defaultEvaluatorFactory,
      calibrate: false,
    });
    expect(results.metrics).toMatchObject({ leads: 2, converted: 1, revenue: 5000, auc: 1 });
    expect(results.suggestions).toBeUndefined();
  });
});
