import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  leadHelpers,
  expectReasonsAddUp,
  HISTORY,
  type Lead,
  LEAD,
  type LeadWithHistory,
  ok,
  onlyError,
  points,
  ruleNames,
  RULES,
  type Score,
  UPSERT,
} from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { upsert, leadCount } = leadHelpers(() => t);

describe('upsertLead', () => {
  it('creates a lead with a score under default-b2b v1 whose reasons explain every point', async () => {
    const lead = await upsert({
      externalId: 'create-1',
      email: 'Ana@Acme.io',
      source: 'webinar',
      segment: 'mid-market',
      attributes: { industry: 'software', companySize: 800, seniority: 'vp', country: 'US' },
    });
    expect(lead.externalId).toBe('create-1');
    expect(lead.email).toBe('ana@acme.io');
    expect(lead.source).toBe('webinar');
    expect(lead.attributes).toEqual({ industry: 'software', companySize: 800, seniority: 'vp', country: 'US' });
    const score = lead.score as Score;
    expect(score).not.toBeNull();
    expect(score.ruleSetKey).toBe('default-b2b');
    expect(score.ruleSetVersion).toBe(1);
    expectReasonsAddUp(score);
    expect(ruleNames(score).sort()).toEqual(
      ['fit-company-size-sweet-spot', 'fit-seniority-executive', 'fit-target-country', 'fit-target-industry'].sort(),
    );
    expect(score.fit).toBe(
      points('fit-company-size-sweet-spot') +
        points('fit-seniority-executive') +
        points('fit-target-country') +
        points('fit-target-industry'),
    );
    expect(score.engagement).toBe(0);
    expect(score.cell).toMatch(/^[A-D][1-4]$/);
    expect(score.qualified).toBe(score.total >= RULES.qualification.threshold);
  });

  it('updates by externalId: merges attributes, null removes one, omitted fields are kept, score and history follow', async () => {
    const before = await upsert({
      externalId: 'update-1',
      email: 'bo@initech.com',
      source: 'paid_search',
      attributes: { industry: 'healthcare', companySize: 1200, seniority: 'director', country: 'DE', department: 'marketing' },
    });
    const beforeScore = before.score as Score;
    expect(ruleNames(beforeScore)).toContain('fit-company-size-sweet-spot');
    expect(ruleNames(beforeScore)).toContain('fit-target-country');

    // companySize 30 leaves the 200-5,000 sweet spot (and the 50-199 band); country removed.
    const after = await upsert({ externalId: 'update-1', attributes: { companySize: 30, country: null } });
    expect(after.id).toBe(before.id);
    expect(after.email).toBe('bo@initech.com');
    expect(after.source).toBe('paid_search');
    expect(after.attributes).toEqual({ industry: 'healthcare', companySize: 30, seniority: 'director', department: 'marketing' });
    const afterScore = after.score as Score;
    expectReasonsAddUp(afterScore);
    expect(ruleNames(afterScore)).not.toContain('fit-company-size-sweet-spot');
    expect(ruleNames(afterScore)).not.toContain('fit-target-country');
    expect(afterScore.fit).toBe(beforeScore.fit - points('fit-company-size-sweet-spot') - points('fit-target-country'));
    expect(afterScore.total).toBe(beforeScore.total - points('fit-company-size-sweet-spot') - points('fit-target-country'));
    expect(await leadCount('update-1')).toBe(1);

    const read = ok(
      await t.gql<{ lead: LeadWithHistory }>(`query($x: String) { lead(externalId: $x) { ${LEAD} ${HISTORY} } }`, { x: 'update-1' }),
    ).lead;
    const history = read.scoreHistory.edges.map((edge) => edge.node);
    expect(history.map((change) => change.cause)).toEqual(['lead_updated', 'lead_created']);
    const [updated, created] = history;
    expect(created.old).toBeNull();
    expect(created.new).toEqual({
      fit: beforeScore.fit,
      engagement: beforeScore.engagement,
      total: beforeScore.total,
      cell: beforeScore.cell,
      band: beforeScore.band,
      qualified: beforeScore.qualified,
    });
    expect(updated.old).toEqual(created.new);
    expect(updated.new).toEqual({
      fit: afterScore.fit,
      engagement: afterScore.engagement,
      total: afterScore.total,
      cell: afterScore.cell,
      band: afterScore.band,
      qualified: afterScore.qualified,
    });
    expect(updated.ruleSetKey).toBe('default-b2b');
    expect(updated.ruleSetVersion).toBe(1);
  });

  it('an update that changes nothing adds no history entry', async () => {
    await upsert({ externalId: 'noop-1', attributes: { industry: 'retail' } });
    const again = await upsert({ externalId: 'noop-1' });
    expect(again.attributes).toEqual({ industry: 'retail' });
    const read = ok(await t.gql<{ lead: LeadWithHistory }>(`{ lead(externalId: "noop-1") { ${LEAD} ${HISTORY} } }`)).lead;
    expect(read.scoreHistory.edges.map((edge) => edge.node.cause)).toEqual(['lead_created']);
  });

  it('email: null clears it', async () => {
    await upsert({ externalId: 'clear-email-1', email: 'cy@hooli.com' });
    const cleared = await upsert({ externalId: 'clear-email-1', email: null });
    expect(cleared.email).toBeNull();
  });
});

describe('upsertLead rejects bad input and writes nothing', () => {
  const cases: Array<{ name: string; input: Record<string, unknown>; path: string }> = [
    {
      name: 'wrong attribute type',
      input: { externalId: 'bad-type', attributes: { companySize: 'large' } },
      path: 'input.attributes.companySize',
    },
    {
      name: 'unknown attribute',
      input: { externalId: 'bad-unknown', attributes: { favouriteColour: 'blue' } },
      path: 'input.attributes.favouriteColour',
    },
    {
      name: 'disallowed enum value',
      input: { externalId: 'bad-enum', attributes: { seniority: 'king' } },
      path: 'input.attributes.seniority',
    },
    { name: 'blank externalId', input: { externalId: '   ', attributes: { industry: 'software' } }, path: 'input.externalId' },
    { name: 'bad email', input: { externalId: 'bad-email', email: 'not-an-email' }, path: 'input.email' },
    {
      name: 'oversized string',
      input: { externalId: 'bad-long', attributes: { jobTitle: 'x'.repeat(600) } },
      path: 'input.attributes.jobTitle',
    },
  ];

  for (const { name, input, path: problemPath } of cases) {
    it(`${name} -> BAD_USER_INPUT naming ${problemPath}`, async () => {
      const leadsBefore = await leadCount();
      const error = onlyError(await t.gql(UPSERT, { input }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.problems?.map((problem) => problem.path)).toContain(problemPath);
      expect(error.message).toContain(problemPath);
      expect(await leadCount(input.externalId as string)).toBe(0);
      expect(await leadCount()).toBe(leadsBefore);
    });
  }

  it('a bad update leaves the stored lead and its score as they were', async () => {
    const created = await upsert({ externalId: 'bad-update-1', attributes: { industry: 'software', seniority: 'vp' } });
    const error = onlyError(
      await t.gql(UPSERT, { input: { externalId: 'bad-update-1', attributes: { industry: 'media', seniority: 'king' } } }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['input.attributes.seniority']);
    const read = ok(await t.gql<{ lead: Lead }>(`{ lead(externalId: "bad-update-1") { ${LEAD} } }`)).lead;
    expect(read.attributes).toEqual({ industry: 'software', seniority: 'vp' });
    expect(read.score).toEqual(created.score);
  });
});
