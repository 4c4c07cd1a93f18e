import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { validateRuleSetDefinition } from '../server/src/rulesets/ruleset-validation';
import { shippedAttributeCatalog } from '../server/src/rulesets/shipped-catalog';
import type { AttributeFact, Condition, FactType, RuleSetDefinition } from '../server/src/engine/ruleset-definition';

/* Every rule set shipped in rules/ is valid, and reads only attributes the catalog declares. */

const RULES = path.join(REPO_ROOT, 'rules');

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(RULES, file), 'utf8'));
}

const RULE_SET_FILES = readdirSync(RULES)
  .filter((file) => file.endsWith('.json'))
  .filter((file) => (readJson(file) as { $schema?: unknown }).$schema === './ruleset.schema.json')
  .sort();

interface CatalogAttribute {
  name: string;
  type: FactType;
  label: string;
  description: string;
  values?: string[];
}

const CATALOG = readJson('attributes.json') as { attributes: CatalogAttribute[] };
/** attributes.json plus the attributes the import mappings in rules/ define (x-education). */
const ATTRIBUTES = shippedAttributeCatalog();
/** The account-scope attributes account rule sets read (rules/account-attributes.json). */
const ACCOUNT_CATALOG = readJson('account-attributes.json') as { attributes: CatalogAttribute[] };
const ACCOUNT_ATTRIBUTES = new Map(ACCOUNT_CATALOG.attributes.map((attribute) => [attribute.name, attribute]));
/** The catalog a rule set's attribute facts read: the account scope's for account rule sets. */
const catalogOf = (doc: RuleSetDefinition) => (doc.subject === 'account' ? ACCOUNT_ATTRIBUTES : ATTRIBUTES);

function leaves(condition: Condition, into: Extract<Condition, { fact: string }>[] = []): Extract<Condition, { fact: string }>[] {
  if ('all' in condition)
    condition.all.forEach((c) => {
      leaves(c, into);
    });
  else if ('any' in condition)
    condition.any.forEach((c) => {
      leaves(c, into);
    });
  else if ('not' in condition) leaves(condition.not, into);
  else if ('fact' in condition) into.push(condition);
  return into;
}

function allLeaves(doc: RuleSetDefinition): { where: string; leaf: Extract<Condition, { fact: string }> }[] {
  return [
    ...Object.entries(doc.sharedConditions ?? {}).flatMap(([name, condition]) =>
      leaves(condition).map((leaf) => ({ where: `sharedConditions.${name}`, leaf })),
    ),
    ...doc.rules.flatMap((rule) => leaves(rule.conditions).map((leaf) => ({ where: `rule ${rule.name}`, leaf }))),
  ];
}

describe('rule set files in rules/', () => {
  it('finds the rule set files (at least default-b2b.json)', () => {
    expect(RULE_SET_FILES).toContain('default-b2b.json');
  });

  it.each(RULE_SET_FILES)('%s is a valid rule set', (file) => {
    expect(validateRuleSetDefinition(readJson(file), { attributes: ATTRIBUTES, accountAttributes: ACCOUNT_ATTRIBUTES })).toEqual([]);
  });

  it.each(RULE_SET_FILES)(
    '%s: every attribute fact refers to a shipped attribute (attributes.json or an import mapping) with the same type',
    (file) => {
      const doc = readJson(file) as RuleSetDefinition;
      const attributeFacts = doc.facts.filter((fact): fact is AttributeFact => fact.source === 'attribute');
      expect(attributeFacts.length).toBeGreaterThan(0);
      for (const fact of attributeFacts) {
        const name = fact.attribute ?? fact.name;
        const attribute = catalogOf(doc).get(name);
        expect(
          attribute,
          `fact "${fact.name}" reads attribute "${name}", which neither attributes.json nor a mapping declares`,
        ).toBeDefined();
        expect(fact.type, `fact "${fact.name}" has type ${fact.type}, attribute "${name}" is ${attribute?.type}`).toBe(attribute?.type);
      }
    },
  );

  it.each(RULE_SET_FILES)('%s: comparisons on fixed-vocabulary attributes use the catalog values', (file) => {
    const doc = readJson(file) as RuleSetDefinition;
    const factsByName = new Map(doc.facts.map((fact) => [fact.name, fact]));
    for (const { where, leaf } of allLeaves(doc)) {
      const fact = factsByName.get(leaf.fact);
      if (fact?.source !== 'attribute') continue;
      const vocabulary = catalogOf(doc).get(fact.attribute ?? fact.name)?.values;
      if (!vocabulary) continue;
      if (!['equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain'].includes(leaf.operator)) continue;
      const compared = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      for (const value of compared) {
        expect(vocabulary, `${where}: ${leaf.fact} ${leaf.operator} ${JSON.stringify(value)}`).toContain(value);
      }
    }
  });
});

describe('rules/attributes.json', () => {
  it.each([
    ['attributes.json', CATALOG],
    ['account-attributes.json', ACCOUNT_CATALOG],
  ])('%s validates against rules/attributes.schema.json', (_file, catalog) => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson('attributes.schema.json') as object);
    const valid = validate(catalog);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema rejects what it should (an attribute without description, values on a number)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson('attributes.schema.json') as object);
    expect(validate({ attributes: [{ name: 'x', type: 'string', label: 'X' }] })).toBe(false);
    expect(validate({ attributes: [{ name: 'x', type: 'number', label: 'X', description: 'd', values: ['1'] }] })).toBe(false);
    expect(validate({ attributes: [{ name: 'x', type: 'string', label: 'X', description: 'd', values: ['a'] }] })).toBe(true);
  });

  it('attribute names are unique', () => {
    const names = CATALOG.attributes.map((attribute) => attribute.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
