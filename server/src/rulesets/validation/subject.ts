import { type AccountScoreField, type ContactsFact, type FactType, subjectOf } from '../../engine/ruleset-definition';
import type { CatalogAttribute } from './catalog';
import { humanise, quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';
import { closestAllowed } from './suggest';

/**
 * Account rule sets and facts about accounts: which fact sources a rule set of each subject may
 * read, the types of account score fields, and the parameters of contacts facts.
 */

/** The type each field of the account's score has. */
export const ACCOUNT_FIELD_TYPES: Record<AccountScoreField, FactType> = {
  fit: 'number',
  engagement: 'number',
  total: 'number',
  fitGrade: 'string',
  engagementLevel: 'number',
  cell: 'string',
  band: 'string',
  qualified: 'boolean',
};

/** The parameters each contacts aggregate takes: required ones first, optional after. */
const CONTACT_PARAMETERS: Record<ContactsFact['aggregate'], { required: Array<keyof ContactsFact>; optional: Array<keyof ContactsFact> }> =
  {
    count: { required: [], optional: [] },
    engagedCount: { required: [], optional: ['minEngagement'] },
    maxRank: { required: ['attribute', 'ranks'], optional: ['minEngagement'] },
    sumEngagement: { required: ['cap'], optional: [] },
    rolesPresent: { required: ['attribute', 'roles'], optional: [] },
    daysSinceActive: { required: [], optional: [] },
  };

const PARAMETER_WORDS: Record<string, string> = {
  minEngagement: 'the engagement from which a contact counts as engaged',
  attribute: 'the contact attribute it reads',
  ranks: 'the attribute values, best first',
  roles: 'the attribute values that make up the buying committee',
  cap: 'the most engagement one contact brings',
};

/** Fact sources by subject, and the shape of account and contacts facts. */
export function checkSubjectFacts(checks: RuleSetChecks): void {
  const account = subjectOf(checks.doc) === 'account';
  checks.doc.facts.forEach((fact, index) => {
    const at = `facts[${index}]`;
    if (account && (fact.source === 'activity' || fact.source === 'lead')) {
      checks.add(
        `${at}.source`,
        `An account rule set scores companies, not one lead: a ${quoted(fact.source)} fact has no value for an account. Use a "contacts" fact (count, engagedCount, maxRank, sumEngagement, rolesPresent, daysSinceActive) or an "attribute" fact of the account`,
      );
    } else if (account && (fact.source === 'account' || fact.source === 'accountAttribute')) {
      checks.add(
        `${at}.source`,
        `An account rule set reads its own account: use source "attribute" for the account's attributes instead of ${quoted(fact.source)}`,
      );
    } else if (!account && fact.source === 'contacts') {
      checks.add(
        `${at}.source`,
        'A "contacts" fact aggregates an account\'s contacts: it belongs to an account rule set ("subject": "account"). A lead rule set reads its account with "account" or "accountAttribute" facts',
      );
    } else if (fact.source === 'account') {
      const expected = ACCOUNT_FIELD_TYPES[fact.field];
      if (fact.type !== expected)
        checks.add(
          `${at}.type`,
          `The account's ${humanise(fact.field).toLowerCase()} is ${expected === 'boolean' ? 'a boolean' : `a ${expected}`}, not a ${fact.type}: set the fact's type to ${expected}`,
        );
    } else if (fact.source === 'contacts') {
      checkContactsFact(checks, fact, at);
    }
  });
}

function checkContactsFact(checks: RuleSetChecks, fact: ContactsFact, at: string): void {
  if (fact.type !== 'number')
    checks.add(`${at}.type`, `A ${quoted(fact.aggregate)} fact is a number, not a ${fact.type}: set its type to number`);
  const { required, optional } = CONTACT_PARAMETERS[fact.aggregate];
  for (const parameter of required) {
    if (fact[parameter] === undefined)
      checks.add(`${at}.${parameter}`, `A ${quoted(fact.aggregate)} fact needs ${quoted(parameter)}: ${PARAMETER_WORDS[parameter]}`);
  }
  for (const parameter of Object.keys(PARAMETER_WORDS) as Array<keyof ContactsFact>) {
    if (fact[parameter] !== undefined && !required.includes(parameter) && !optional.includes(parameter))
      checks.add(`${at}.${parameter}`, `A ${quoted(fact.aggregate)} fact takes no ${quoted(parameter)}: remove it`);
  }
}

/**
 * Contacts facts name a lead (contact) attribute of text, and their ranks and roles are allowed
 * values of it (attribute facts about accounts are checkCatalog's). Skipped without a catalog.
 */
export function checkContactsCatalog(checks: RuleSetChecks, leadCatalog: ReadonlyMap<string, CatalogAttribute> | undefined): void {
  if (!leadCatalog || subjectOf(checks.doc) !== 'account') return;
  checks.doc.facts.forEach((fact, index) => {
    if (fact.source !== 'contacts' || fact.attribute === undefined) return;
    const at = `facts[${index}]`;
    const spec = known(checks, leadCatalog, fact.attribute, `${at}.attribute`);
    if (!spec) return;
    if (spec.type !== 'string' && spec.type !== 'string[]') {
      checks.add(`${at}.attribute`, `The contact attribute ${quoted(fact.attribute)} is a ${spec.type}: ranks and roles compare text`);
      return;
    }
    const allowed = spec.allowedValues ?? spec.values;
    const key = fact.aggregate === 'maxRank' ? 'ranks' : 'roles';
    const values = fact.aggregate === 'maxRank' ? fact.ranks : fact.aggregate === 'rolesPresent' ? fact.roles : undefined;
    if (!allowed?.length || !values) return;
    values.forEach((value, i) => {
      if (allowed.includes(value)) return;
      const suggestion = closestAllowed(value, allowed);
      const hint =
        suggestion !== undefined ? `; did you mean ${quoted(suggestion)}?` : `: pick one of ${allowed.slice(0, 8).map(quoted).join(', ')}`;
      checks.add(`${at}.${key}[${i}]`, `${quoted(value)} is not a value of the contact attribute ${quoted(fact.attribute)}${hint}`, {
        suggestion,
      });
    });
  });
}

/** The catalog's attribute `name`, or undefined after reporting it missing with a "did you mean". */
function known(
  checks: RuleSetChecks,
  catalog: ReadonlyMap<string, CatalogAttribute>,
  name: string,
  path: string,
): CatalogAttribute | undefined {
  const spec = catalog.get(name);
  if (spec) return spec;
  const suggestion = closestAllowed(name, [...catalog.keys()]);
  const hint = suggestion !== undefined ? `; did you mean ${quoted(suggestion)}?` : ': pick one of its attributes';
  checks.add(path, `There is no contact (lead) attribute ${quoted(name)} in the attribute catalog${hint}`, { suggestion });
  return undefined;
}
