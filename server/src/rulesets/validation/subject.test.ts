import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../../common/paths';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { shippedAttributeCatalog } from '../shipped-catalog';
import { copy, type Doc, expectOnlyProblem } from './validation-fixtures';

/* Account rule sets and facts about accounts: sources by subject, account field types, contacts parameters, catalogs by scope. */

const ACCOUNT_DEFAULT: Doc = JSON.parse(readFileSync(path.join(RULES_DIR, 'account-default.json'), 'utf8'));
const accountAttributes = new Map(
  (
    JSON.parse(readFileSync(path.join(RULES_DIR, 'account-attributes.json'), 'utf8')).attributes as Array<{ name: string; type: string }>
  ).map((attribute) => [attribute.name, attribute]),
);
const attributes = shippedAttributeCatalog();
const account = (): Doc => structuredClone(ACCOUNT_DEFAULT);

describe('account rule sets', () => {
  it('the shipped account rule set is valid with both catalogs, and without any', () => {
    expect(validateRuleSetDefinition(account(), { attributes, accountAttributes })).toEqual([]);
    expect(validateRuleSetDefinition(account())).toEqual([]);
  });

  it('an unknown subject is a schema problem naming it', () => {
    const doc = account();
    doc.subject = 'company';
    expect(validateRuleSetDefinition(doc).map((p) => p.path)).toEqual(['subject']);
  });

  it.each([
    [{ name: 'views', type: 'number', source: 'activity', aggregate: 'count' }, /"contacts" fact/],
    [{ name: 'created', type: 'number', source: 'lead', field: 'daysSinceCreated' }, /"contacts" fact/],
    [{ name: 'grade', type: 'string', source: 'account', field: 'fitGrade' }, /source "attribute"/],
    [{ name: 'industry2', type: 'string', source: 'accountAttribute', attribute: 'industry' }, /source "attribute"/],
  ])('refuses %o at facts[i].source', (fact, message) => {
    const doc = account();
    doc.facts.push(fact);
    expectOnlyProblem(validateRuleSetDefinition(doc), `facts[${doc.facts.length - 1}].source`, message);
  });

  it('a schema mistake in a fact is reported once, against the source written', () => {
    const doc = account();
    doc.facts.push(
      { name: 'x', type: 'number', source: 'contacts', aggregate: 'engaged' },
      { name: 'y', type: 'number', source: 'contact', aggregate: 'count' },
    );
    const at = doc.facts.length - 2;
    expect(validateRuleSetDefinition(doc)).toEqual([
      { path: `facts[${at}].aggregate`, message: expect.stringMatching(/^Aggregate "engaged" is not allowed; .*"engagedCount"/) },
      { path: `facts[${at + 1}].source`, message: expect.stringMatching(/^Source "contact" is not allowed; .*"contacts"/) },
    ]);
  });

  it('contacts facts are numbers with the parameters of their aggregate', () => {
    const doc = account();
    const at = doc.facts.length;
    doc.facts.push(
      { name: 'a', type: 'boolean', source: 'contacts', aggregate: 'count' },
      { name: 'b', type: 'number', source: 'contacts', aggregate: 'rolesPresent', attribute: 'department' },
      { name: 'c', type: 'number', source: 'contacts', aggregate: 'count', cap: 10 },
    );
    expect(validateRuleSetDefinition(doc)).toEqual([
      { path: `facts[${at}].type`, message: expect.stringContaining('set its type to number') },
      { path: `facts[${at + 1}].roles`, message: expect.stringContaining('needs "roles"') },
      { path: `facts[${at + 2}].cap`, message: expect.stringContaining('takes no "cap"') },
    ]);
  });

  it('attribute facts name account attributes; contacts facts name lead attributes of text, and their values', () => {
    const doc = account();
    doc.facts.push(
      { name: 'seniorityOnly', type: 'number', source: 'contacts', aggregate: 'maxRank', attribute: 'companySize', ranks: ['x'] },
      { name: 'jobs', type: 'number', source: 'contacts', aggregate: 'rolesPresent', attribute: 'departmnt', roles: ['it'] },
      { name: 'companySize', type: 'number', source: 'attribute' },
    );
    const at = doc.facts.length - 3;
    expect(validateRuleSetDefinition(doc, { attributes, accountAttributes })).toEqual([
      { path: `facts[${at + 2}].name`, message: expect.stringContaining('no account attribute "companySize"') },
      { path: `facts[${at}].attribute`, message: expect.stringContaining('is a number: ranks and roles compare text') },
      {
        path: `facts[${at + 1}].attribute`,
        message: expect.stringContaining('did you mean "department"?'),
        suggestion: 'department',
      },
    ]);
  });
});

describe('lead rule sets with facts about their account', () => {
  it('account fields have their types; contacts facts are refused', () => {
    const doc = copy();
    const at = doc.facts.length;
    doc.facts.push(
      { name: 'accountGrade', type: 'string', source: 'account', field: 'fitGrade' },
      { name: 'accountTotal', type: 'string', source: 'account', field: 'total' },
      { name: 'engaged', type: 'number', source: 'contacts', aggregate: 'engagedCount' },
    );
    expect(validateRuleSetDefinition(doc)).toEqual([
      { path: `facts[${at + 1}].type`, message: expect.stringContaining("set the fact's type to number") },
      { path: `facts[${at + 2}].source`, message: expect.stringContaining('belongs to an account rule set') },
    ]);
  });

  it('accountAttribute facts are checked against the account catalog, not the lead one', () => {
    const doc = copy();
    doc.facts.push({ name: 'employees', type: 'string', source: 'accountAttribute' });
    expect(validateRuleSetDefinition(doc, { attributes, accountAttributes })).toEqual([
      { path: `facts[${doc.facts.length - 1}].type`, message: expect.stringContaining('is a number in the catalog') },
    ]);
    expect(validateRuleSetDefinition(doc, { attributes })).toEqual([]);
  });
});
