import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHelpers, DATASET, MAPPING, XE_MAPPING, XE_RULE_SET } from './support/imports';
import type { ImportSummary } from '../server/src/imports/import-summary';
import { attributeCatalogFromMapping, parseMapping } from '../server/src/imports/mapping';
import type { Actor } from '../server/src/auth/actor';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let dir: string;
let mappingFile: string;

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ls-import-test-'));
  mappingFile = path.join(dir, 'fixture.mapping.json');
  writeFileSync(mappingFile, JSON.stringify(MAPPING));
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const { runImport, count } = importHelpers(
  () => t,
  () => dir,
);

describe('the X Education dataset (real, 9,240 leads)', () => {
  let summary: ImportSummary;

  beforeAll(async () => {
    // As a customer would: define the attributes, publish the rule set for the segment, then import.
    const mapping = parseMapping(readFileSync(XE_MAPPING, 'utf8'));
    for (const spec of attributeCatalogFromMapping(mapping).values()) {
      if (spec.name !== 'country') await t.app.services.leads.defineAttribute(spec);
    }
    const { workflow } = t.app.services;
    const admin: Actor = { name: 'user:admin@test.local', role: 'admin' };
    const { draft } = await workflow.createRuleSet(admin, {
      key: 'x-education',
      name: 'X Education',
      segments: ['x-education'],
      definition: JSON.parse(readFileSync(XE_RULE_SET, 'utf8')),
    });
    await workflow.submitForReview(admin, draft.id);
    await workflow.review({ name: 'user:m@test.local', role: 'marketing' }, { versionId: draft.id, approve: true });
    await workflow.review({ name: 'user:s@test.local', role: 'sales' }, { versionId: draft.id, approve: true });
    await workflow.publish(admin, draft.id);
    summary = await runImport({ file: DATASET, mapping: XE_MAPPING });
  });

  it('imports every lead with its outcome (3,561 converted)', async () => {
    expect(summary.status).toBe('imported');
    expect(summary.rowsRead).toBe(9240);
    expect(summary.rejected.rows).toBe(0);
    expect(summary.imported).toEqual({ total: 9240, created: 9240, updated: 0, unchanged: 0 });
    const outcomes = await t.sql<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM lead WHERE segment = 'x-education' GROUP BY outcome ORDER BY outcome`,
    );
    expect(outcomes).toEqual([
      { outcome: 'converted', n: 3561 },
      { outcome: 'lost', n: 5679 },
    ]);
  });

  it('types and normalises the values (Select is no value, case folded, yes/no, numbers, ISO countries), leaves the leaking columns out', async () => {
    const [lead] = await t.sql<{ attributes: Record<string, unknown>; source: string }>(
      `SELECT attributes, source FROM lead WHERE external_id = '2a272436-5132-4136-86fa-dcc88c88f482'`,
    );
    expect(lead.source).toBe('organic search');
    expect(lead.attributes).toMatchObject({
      leadOrigin: 'api',
      leadChannel: 'organic search',
      doNotEmail: false,
      totalVisits: 5,
      timeOnWebsiteSeconds: 674,
      pageViewsPerVisit: 2.5,
      lastActivity: 'email opened',
      country: 'IN',
      occupation: 'unemployed',
      asymmetriqueActivityIndex: 'medium',
      asymmetriqueProfileScore: 15,
    });
    expect(lead.attributes).not.toHaveProperty('specialization'); // "Select"
    expect(await count(`SELECT count(*) FROM lead WHERE attributes ?| ARRAY['tags', 'leadQuality', 'leadProfile', 'leadNumber']`)).toBe(0);
    expect(await count(`SELECT count(DISTINCT attributes->>'leadChannel') FROM lead WHERE attributes->>'leadChannel' ILIKE 'google'`)).toBe(
      1,
    );
  });

  it('re-importing changes nothing and keeps an outcome date and deal value set since (the file has neither)', async () => {
    const [lead] = await t.sql<{ external_id: string }>(
      `SELECT external_id FROM lead WHERE segment = 'x-education' AND outcome = 'converted' ORDER BY id LIMIT 1`,
    );
    const set = await t.gql<{ setLeadOutcome: { dealValue: string } }>(
      'mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { dealValue } }',
      { input: { externalId: lead.external_id, outcome: 'CONVERTED', dealValue: 499 } },
    );
    expect(set.data?.setLeadOutcome.dealValue).toBe('499.00');
    const again = await runImport({ file: DATASET, mapping: XE_MAPPING });
    expect(again.imported).toEqual({ total: 9240, created: 0, updated: 0, unchanged: 9240 });
    expect(await count('SELECT count(*) FROM lead WHERE segment = $1', ['x-education'])).toBe(9240);
    const [after] = await t.sql<{ deal_value: string; outcome_at: Date | null }>(
      'SELECT deal_value::text, outcome_at FROM lead WHERE external_id = $1',
      [lead.external_id],
    );
    expect(after.deal_value).toBe('499.00');
    expect(after.outcome_at).not.toBeNull();
  });

  it('scores every lead with the x-education rule set, and the score separates converted from lost leads', async () => {
    expect(summary.scoring.leadsScored).toBe(9240);
    const byQualified = await t.sql<{ qualified: boolean; n: number; rate: number }>(
      `SELECT s.qualified, count(*)::int AS n, avg((l.outcome = 'converted')::int)::float8 AS rate
         FROM lead l JOIN lead_score s ON s.lead_id = l.id
        WHERE l.segment = 'x-education' AND s.rule_set_key = 'x-education'
        GROUP BY s.qualified`,
    );
    expect(byQualified.reduce((n, row) => n + row.n, 0)).toBe(9240);
    const rate = (qualified: boolean) => byQualified.find((row) => row.qualified === qualified)?.rate ?? Number.NaN;
    expect(rate(true)).toBeGreaterThan(0.7);
    expect(rate(false)).toBeLessThan(0.25);
    // What the import stored is what scoring each lead from scratch gives (a sample across the file).
    const sample = await t.sql<{ leadId: string; total: number; cell: string; ruleSetKey: string; scoredAt: Date }>(
      `SELECT lead_id::text AS "leadId", total, cell, rule_set_key AS "ruleSetKey", scored_at AS "scoredAt" FROM lead_score s JOIN lead l ON l.id = s.lead_id
        WHERE l.segment = 'x-education' AND l.id % 463 = 0 ORDER BY l.id`,
    );
    expect(sample.length).toBeGreaterThan(10);
    for (const stored of sample) {
      const [fromScratch] = await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, [stored.leadId], stored.scoredAt);
      expect({ total: fromScratch.total, cell: fromScratch.cell, ruleSetKey: fromScratch.ruleSetKey }, stored.leadId).toEqual({
        total: stored.total,
        cell: stored.cell,
        ruleSetKey: stored.ruleSetKey,
      });
    }
  });
});
