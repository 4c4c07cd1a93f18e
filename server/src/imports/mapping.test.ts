import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { attributeCatalogFromMapping, checkHeader, parseMapping, planAttributes, validateMapping } from './mapping';
import { compileMapping } from './mapping-compile';
import type { CatalogEntry, ImportMapping } from './mapping-types';
import { normaliseValue, parseDateValue, parseDealValue } from './mapping-values';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('normaliseValue', () => {
  it('turns blanks and the null markers into null, ignoring case and surrounding spaces', () => {
    const options = { nullValues: ['Select', 'N/A'] };
    expect(normaliseValue('Select', 'string', options)).toEqual({ ok: true, value: null });
    expect(normaliseValue(' select ', 'string', options)).toEqual({ ok: true, value: null });
    expect(normaliseValue('n/a', 'number', options)).toEqual({ ok: true, value: null });
    expect(normaliseValue('', 'string')).toEqual({ ok: true, value: null });
    expect(normaliseValue('   ', 'boolean')).toEqual({ ok: true, value: null });
    expect(normaliseValue('Selected', 'string', options)).toEqual({ ok: true, value: 'Selected' });
  });

  it('trims unless told not to', () => {
    expect(normaliseValue('  Mumbai ', 'string')).toEqual({ ok: true, value: 'Mumbai' });
    expect(normaliseValue('  Mumbai ', 'string', { trim: false })).toEqual({ ok: true, value: '  Mumbai ' });
  });

  it('folds case', () => {
    expect(normaliseValue('Google', 'string', { case: 'lower' })).toEqual({ ok: true, value: 'google' });
    expect(normaliseValue('google', 'string', { case: 'upper' })).toEqual({ ok: true, value: 'GOOGLE' });
    expect(normaliseValue('Google', 'string', { case: 'none' })).toEqual({ ok: true, value: 'Google' });
  });

  it('maps values, exact key first, then ignoring case; replacements are not case-folded; null maps to no value', () => {
    const options = { case: 'lower' as const, map: { Google: 'google', 'Welingak Website': 'Welingak', unknown: null } };
    expect(normaliseValue('Google', 'string', options)).toEqual({ ok: true, value: 'google' });
    expect(normaliseValue('GOOGLE', 'string', options)).toEqual({ ok: true, value: 'google' });
    expect(normaliseValue('welingak website', 'string', options)).toEqual({ ok: true, value: 'Welingak' });
    expect(normaliseValue('Unknown', 'string', options)).toEqual({ ok: true, value: null });
    expect(normaliseValue('Olark Chat', 'string', options)).toEqual({ ok: true, value: 'olark chat' });
  });

  it('handles values the map does not list as told: keep, null or reject', () => {
    const map = { India: 'IN' };
    expect(normaliseValue('Narnia', 'string', { map })).toEqual({ ok: true, value: 'Narnia' });
    expect(normaliseValue('Narnia', 'string', { map, unmapped: 'null' })).toEqual({ ok: true, value: null });
    expect(normaliseValue('Narnia', 'string', { map, unmapped: 'reject' })).toEqual({
      ok: false,
      reason: 'not a value the mapping knows (normalise.map)',
    });
    expect(normaliseValue('india', 'string', { map, unmapped: 'reject' })).toEqual({ ok: true, value: 'IN' });
  });

  it('reads yes/no (and the usual variants) as booleans and rejects anything else', () => {
    for (const yes of ['Yes', 'YES', 'y', 'true', '1']) expect(normaliseValue(yes, 'boolean')).toEqual({ ok: true, value: true });
    for (const no of ['No', 'no', 'N', 'false', '0']) expect(normaliseValue(no, 'boolean')).toEqual({ ok: true, value: false });
    expect(normaliseValue('maybe', 'boolean')).toEqual({ ok: false, reason: 'not yes/no' });
    expect(normaliseValue('Oui', 'boolean', { trueValues: ['oui'], falseValues: ['non'] })).toEqual({ ok: true, value: true });
    expect(normaliseValue('yes', 'boolean', { trueValues: ['oui'], falseValues: ['non'] })).toEqual({ ok: false, reason: 'not oui/non' });
  });

  it('reads numbers written as text', () => {
    expect(normaliseValue('674', 'number')).toEqual({ ok: true, value: 674 });
    expect(normaliseValue(' 2.5 ', 'number')).toEqual({ ok: true, value: 2.5 });
    expect(normaliseValue('-3', 'number')).toEqual({ ok: true, value: -3 });
    expect(normaliseValue('.5', 'number')).toEqual({ ok: true, value: 0.5 });
    expect(normaliseValue('1e3', 'number')).toEqual({ ok: true, value: 1000 });
    expect(normaliseValue('', 'number')).toEqual({ ok: true, value: null });
  });

  it('rejects bad numbers with a reason', () => {
    for (const bad of ['abc', '1,5', '12 visits', 'NaN', 'Infinity', '0x10', '1e999', '--1', '.']) {
      expect(normaliseValue(bad, 'number'), bad).toEqual({ ok: false, reason: 'not a number' });
    }
  });

  it('maps number values before reading them', () => {
    expect(normaliseValue('none', 'number', { map: { none: '0' } })).toEqual({ ok: true, value: 0 });
  });

  it('splits lists, normalising each item, dropping blanks and repeats', () => {
    expect(normaliseValue('HubSpot; salesforce;;Salesforce', 'string[]', { case: 'lower' })).toEqual({
      ok: true,
      value: ['hubspot', 'salesforce'],
    });
    expect(normaliseValue('a|b', 'string[]', { separator: '|' })).toEqual({ ok: true, value: ['a', 'b'] });
    expect(normaliseValue(' ; ', 'string[]')).toEqual({ ok: true, value: null });
    expect(normaliseValue('a;Select', 'string[]', { nullValues: ['Select'] })).toEqual({ ok: true, value: ['a'] });
  });

  it('checks a fixed vocabulary and the length limit', () => {
    expect(normaliseValue('high', 'string', {}, ['high', 'low'])).toEqual({ ok: true, value: 'high' });
    expect(normaliseValue('medium', 'string', {}, ['high', 'low'])).toEqual({ ok: false, reason: 'not an allowed value' });
    expect(normaliseValue('x'.repeat(501), 'string')).toEqual({ ok: false, reason: 'longer than 500 characters' });
    expect(normaliseValue('a\0b', 'string')).toEqual({ ok: false, reason: 'contains a NUL character' });
  });

  it('reads any finite number back exactly, and never throws on any text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(normaliseValue(String(n), 'number')).toEqual({ ok: true, value: Object.is(n, -0) ? 0 : n });
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('string', 'number', 'boolean', 'string[]' as const), (text, type) => {
        const result = normaliseValue(text, type, { nullValues: ['Select'], case: 'lower' });
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('dates and deal values', () => {
  it('reads ISO dates and date-times, UTC when no zone is given', () => {
    expect(parseDateValue('2026-01-31', NOW)).toEqual({ ok: true, value: '2026-01-31T00:00:00.000Z' });
    expect(parseDateValue('2026-01-31 10:15', NOW)).toEqual({ ok: true, value: '2026-01-31T10:15:00.000Z' });
    expect(parseDateValue('2026-01-31T10:15:30+0200', NOW)).toEqual({ ok: true, value: '2026-01-31T08:15:30.000Z' });
    expect(parseDateValue('', NOW)).toEqual({ ok: true, value: null });
  });

  it('rejects what is not a date, impossible days, the future and junk dates', () => {
    expect(parseDateValue('31/01/2026', NOW)).toEqual({ ok: false, reason: 'not an ISO 8601 date' });
    expect(parseDateValue('2026-02-30', NOW)).toEqual({ ok: false, reason: 'not a valid date' });
    expect(parseDateValue('2026-07-01', NOW)).toEqual({ ok: false, reason: 'in the future' });
    expect(parseDateValue('1899-12-30', NOW)).toEqual({ ok: false, reason: 'before 2000-01-01' });
  });

  it('reads deal values as cents', () => {
    expect(parseDealValue('1200')).toEqual({ ok: true, value: '1200.00' });
    expect(parseDealValue('19.99')).toEqual({ ok: true, value: '19.99' });
    expect(parseDealValue('-5')).toEqual({ ok: false, reason: 'negative' });
    expect(parseDealValue('1.005')).toEqual({ ok: false, reason: 'more than 2 decimals' });
    expect(parseDealValue('lots')).toEqual({ ok: false, reason: 'not a number' });
  });
});

const MAPPING: ImportMapping = {
  formatVersion: 1,
  name: 'test',
  defaults: { nullValues: ['Select'] },
  externalId: 'Id',
  email: 'Email',
  createdAt: 'Created',
  outcome: { column: 'Won', converted: ['yes'], lost: ['no'], open: [''], dateColumn: 'Closed', dealValueColumn: 'Amount' },
  attributes: {
    Visits: { attribute: 'visits', type: 'number', define: { label: 'Visits', description: 'Website visits' } },
    Source: { attribute: 'channel', type: 'string', normalise: { case: 'lower' }, define: { label: 'Channel', description: 'Channel' } },
    'Opt Out': { attribute: 'optOut', type: 'boolean', define: { label: 'Opt-out', description: 'Asked not to be e-mailed' } },
  },
  ignore: ['Notes'],
  activities: [{ column: 'Last Activity', types: { 'Email Opened': 'email_open', Unknown: null }, otherType: 'other' }],
};
const HEADER = ['Id', 'Email', 'Created', 'Won', 'Closed', 'Amount', 'Visits', 'Source', 'Opt Out', 'Notes', 'Last Activity', ''];

describe('the mapping document', () => {
  it('accepts a complete mapping', () => {
    expect(validateMapping(MAPPING)).toEqual([]);
  });

  it('names each problem by its JSON path', () => {
    const problems = validateMapping({
      ...MAPPING,
      externalId: undefined,
      attributes: { ...MAPPING.attributes, 'Lead Source': { attribute: '1bad', type: 'text' } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'externalId', message: 'is required' },
        { path: 'attributes["Lead Source"].attribute', message: expect.stringContaining('must match pattern') },
        { path: 'attributes["Lead Source"].type', message: 'must be one of "string", "number", "boolean", "string[]"' },
      ]),
    );
  });

  it('refuses a column both mapped and ignored, one attribute filled twice, an outcome value with two meanings', () => {
    const problems = validateMapping({
      ...MAPPING,
      ignore: ['Notes', 'Visits'],
      attributes: { ...MAPPING.attributes, Other: { attribute: 'visits', type: 'number' } },
      outcome: { column: 'Won', converted: ['yes', 'Y'], lost: ['y'] },
    });
    expect(problems).toEqual([
      { path: 'attributes.Other.attribute', message: 'attribute "visits" is already filled by attributes.Visits' },
      { path: 'ignore[1]', message: '"Visits" is used by attributes.Visits; it cannot also be ignored' },
      { path: 'outcome.lost[0]', message: '"y" is also listed in outcome.converted' },
    ]);
  });

  it('parseMapping reports bad JSON and bad mappings as one error listing every problem', () => {
    expect(() => parseMapping('{', 'm.json')).toThrow(/m\.json is not valid JSON/);
    expect(() => parseMapping(JSON.stringify({ ...MAPPING, formatVersion: 2 }), 'm.json')).toThrow(/formatVersion: must be 1/);
  });
});

describe('header and catalog', () => {
  it('accepts a header where every column is mapped or ignored (a blank trailing column is fine)', () => {
    expect(checkHeader(MAPPING, HEADER)).toEqual([]);
  });

  it('refuses a header missing a mapped column, or with a column neither mapped nor ignored', () => {
    const problems = checkHeader(MAPPING, [...HEADER.filter((h) => h !== 'Id'), 'Tags']);
    expect(problems).toEqual([
      { path: 'externalId', message: expect.stringContaining('column "Id" is not in the file') },
      { path: 'ignore', message: 'map or ignore every column; not accounted for: "Tags"' },
    ]);
  });

  it('plans which attributes to define, and refuses a type that differs from the catalog', () => {
    const catalog = new Map<string, CatalogEntry>([
      ['visits', { name: 'visits', type: 'string', label: 'V', description: '', allowedValues: null }],
    ]);
    const plan = planAttributes(MAPPING, catalog);
    expect(plan.toDefine.map((d) => d.name)).toEqual(['channel', 'optOut']);
    expect(plan.problems).toEqual([
      { path: 'attributes.Visits.type', message: expect.stringContaining('is a string in the attribute catalog, not number') },
    ]);
    const undefinedAttribute = planAttributes({ ...MAPPING, attributes: { Visits: { attribute: 'visits', type: 'number' } } }, new Map());
    expect(undefinedAttribute.problems).toEqual([
      { path: 'attributes.Visits.define', message: expect.stringContaining('not in the attribute catalog') },
    ]);
  });
});

describe('converting rows', () => {
  const compiled = compileMapping(MAPPING, HEADER, {
    catalog: attributeCatalogFromMapping(MAPPING),
    fieldLimits: { externalId: 200, email: 320, segment: 100, source: 100 },
    now: NOW,
  });
  const record = (values: Partial<Record<string, string>>) => HEADER.map((h) => values[h] ?? '');

  it('types and normalises a good row', () => {
    const { row, problems } = compiled.convert(
      record({
        Id: ' L-1 ',
        Email: 'Ana@Acme.io',
        Created: '2026-01-05',
        Won: 'Yes',
        Closed: '2026-02-01',
        Amount: '990.5',
        Visits: '7',
        Source: 'Google',
        'Opt Out': 'No',
        'Last Activity': 'Email Opened',
      }),
      2,
    );
    expect(problems).toBeUndefined();
    expect(row).toEqual({
      line: 2,
      externalId: 'L-1',
      email: 'ana@acme.io',
      source: null,
      segment: null,
      createdAt: '2026-01-05T00:00:00.000Z',
      attributesJson: '{"optOut":false,"visits":7,"channel":"google"}',
      attributesJsonEscapes: false,
      outcome: 'converted',
      outcomeAt: '2026-02-01T00:00:00.000Z',
      dealValue: '990.50',
      activities: [
        {
          type: 'email_open',
          occurredAt: '2026-01-05T00:00:00.000Z',
          idempotencyKey: 'import:Last Activity:L-1:Email Opened',
          properties: { importedFrom: 'Last Activity', value: 'Email Opened' },
        },
      ],
    });
  });

  it('leaves out attributes without a value (an existing lead loses them), ignores a deal value on a lost lead', () => {
    const { row } = compiled.convert(
      record({ Id: 'L-2', Won: 'no', Amount: '100', Visits: 'Select', Source: '', 'Last Activity': 'Unknown' }),
      3,
    );
    expect(row?.attributesJson).toBe('{}');
    expect(compiled.attributeNames).toEqual(['visits', 'channel', 'optOut']);
    expect(row?.outcome).toBe('lost');
    expect(row?.dealValue).toBeNull();
    expect(row?.activities).toEqual([]);
  });

  it('lists every problem of a bad row by column', () => {
    const { problems } = compiled.convert(
      record({ Id: 'L-3', Email: 'not-an-email', Won: 'maybe', Visits: 'many', 'Opt Out': 'perhaps', Created: '2026-13-01' }),
      4,
    );
    expect(problems).toEqual([
      { column: 'Email', reason: 'not an e-mail address', value: 'not-an-email' },
      { column: 'Created', reason: 'not a valid date', value: '2026-13-01' },
      { column: 'Visits', reason: 'not a number', value: 'many' },
      { column: 'Opt Out', reason: 'not yes/no', value: 'perhaps' },
      { column: 'Won', reason: 'not a known outcome value (outcome.converted / lost / open)', value: 'maybe' },
    ]);
  });

  it('rejects a blank externalId, an outcome before creation and a short row', () => {
    expect(compiled.convert(record({ Id: '  ', Won: '' }), 5).problems).toEqual([{ column: 'Id', reason: 'blank externalId' }]);
    expect(compiled.convert(record({ Id: 'L-4', Won: 'yes', Created: '2026-03-01', Closed: '2026-02-01' }), 6).problems).toEqual([
      { column: 'Closed', reason: 'before the lead was created', value: '2026-02-01T00:00:00.000Z' },
    ]);
    expect(compiled.convert(['L-5', 'a@b.co'], 7).problems).toEqual([{ column: null, reason: 'has 2 fields, the header has 12' }]);
  });
});

describe('rules/x-education.mapping.json and rules/x-education.json', () => {
  const mapping = parseMapping(readFileSync(path.join(RULES_DIR, 'x-education.mapping.json'), 'utf8'));

  it('ignores the columns that leak the outcome and says why', () => {
    expect(mapping.ignore).toEqual(expect.arrayContaining(['Tags', 'Lead Quality', 'Lead Number']));
    expect(mapping.description).toMatch(/Tags.*Lead Quality.*leak the outcome/s);
  });

  it('the rule set reads only attributes the mapping defines (or the catalog has), with their types', () => {
    const shipped = JSON.parse(readFileSync(path.join(RULES_DIR, 'attributes.json'), 'utf8')) as { attributes: CatalogEntry[] };
    const catalog = new Map([...shipped.attributes.map((a) => [a.name, a] as const), ...attributeCatalogFromMapping(mapping)]);
    const ruleSet = JSON.parse(readFileSync(path.join(RULES_DIR, 'x-education.json'), 'utf8')) as {
      facts: Array<{ source: string; name: string }>;
    };
    expect(validateRuleSetDefinition(ruleSet, { attributes: catalog })).toEqual([]);
    expect(ruleSet.facts.every((fact) => fact.source === 'attribute')).toBe(true);
    expect(ruleSet.facts.map((fact) => fact.name)).not.toEqual(expect.arrayContaining(['tags']));
  });
});
