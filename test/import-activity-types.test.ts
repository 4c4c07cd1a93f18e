import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportMapping } from '../server/src/imports/mapping-types';
import { ok } from './support/scores';
import { importHelpers } from './support/imports';
import { createTestApp, type TestApp } from './support/test-app';

/* CSV imports record activity types of the open catalog, checked against it before anything is written. */

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ls-import-types-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const { writeCsv, runImport, count } = importHelpers(
  () => t,
  () => dir,
);

const DEFINE = `mutation($input: DefineActivityTypeInput!) { defineActivityType(input: $input) { name } }`;
/** A mapping file, so it goes through the schema as `npm run import` reads it. */
const mapping = (types: Record<string, string | null>, otherType: string | null = null): string =>
  writeCsv(`mapping-${Object.values(types).join('-')}.json`, JSON.stringify(mappingOf(types, otherType)));
const mappingOf = (types: Record<string, string | null>, otherType: string | null): ImportMapping => ({
  formatVersion: 1,
  name: 'Product events',
  externalId: 'Id',
  email: 'Email',
  attributes: {},
  ignore: [],
  activities: [{ column: 'Event', types, otherType }],
});
const CSV = ['Id,Email,Event', 'P-1,p1@acme.io,Signed up', 'P-2,p2@acme.io,Used reports', 'P-3,p3@acme.io,Signed up', ''].join('\n');

describe('import mappings and the activity catalog', () => {
  it('records activities of a type marketing defined', async () => {
    ok(await t.gql(DEFINE, { input: { name: 'product_signup', label: 'Product sign-up', openProperties: true } }));
    const summary = await runImport({
      file: writeCsv('events.csv', CSV),
      mapping: mapping({ 'signed up': 'product_signup' }, 'page_view'),
    });
    expect(summary.status).toBe('imported');
    expect(await count(`SELECT count(*) FROM activity WHERE type = 'product_signup'`)).toBe(2);
    expect(await count(`SELECT count(*) FROM activity WHERE type = 'page_view'`)).toBe(1);
  });

  it('refuses types the catalog does not have, is retiring, or that cannot hold what an import records; nothing written', async () => {
    ok(await t.gql(DEFINE, { input: { name: 'feature_used', label: 'Feature used', properties: [{ name: 'feature', type: 'string' }] } }));
    ok(await t.gql(DEFINE, { input: { name: 'old_event', label: 'Old event', openProperties: true } }));
    ok(await t.gql(`mutation { retireActivityType(name: "old_event") { name } }`));
    const leads = await count('SELECT count(*) FROM lead');
    const summary = await runImport({
      file: writeCsv('bad-types.csv', CSV.replaceAll('P-', 'Q-')),
      mapping: mapping({ 'signed up': 'prodct_signup', 'used reports': 'feature_used' }, 'old_event'),
    });
    expect(summary.status).toBe('failed');
    expect(summary.error?.problems).toEqual([
      { path: 'activities[0].types.signed up', message: expect.stringContaining('"prodct_signup" is not in the activity catalog') },
      { path: 'activities[0].types.used reports', message: expect.stringContaining('accepts only its declared properties') },
      { path: 'activities[0].otherType', message: expect.stringContaining('"old_event" is retired') },
    ]);
    expect(await count('SELECT count(*) FROM lead')).toBe(leads);
  });
});
