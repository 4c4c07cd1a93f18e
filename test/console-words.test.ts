import { describe, expect, it } from 'vitest';
import { roundTicks } from '../console/src/features/backtests/chart-ticks';
import { describeAuditEntry } from '../console/src/features/admin/audit-sentence';
import { ApiError } from '../console/src/lib/api-error';
import { attributePhrase, attributeValue, catalogOf, leadIdentity } from '../console/src/lib/attribute-labels';
import { describeError } from '../console/src/lib/error-messages';

/** The console's plain-language helpers: pure functions, tested without a browser. */
describe('console words', () => {
  const catalog = catalogOf([
    { name: 'seniority', label: 'Seniority', type: 'string' },
    { name: 'annualRevenue', label: 'Annual revenue (USD)', type: 'number' },
    { name: 'companySize', label: 'Company size (employees)', type: 'number' },
    { name: 'country', label: 'Country', type: 'string' },
    { name: 'industry', label: 'Industry', type: 'string' },
  ]);

  it('shows attributes with the catalog labels and readable values', () => {
    expect(attributePhrase(catalog, 'seniority', 'c_level')).toBe('Seniority C-level');
    expect(attributePhrase(catalog, 'annualRevenue', 15_590_000)).toBe('Annual revenue $15.6 M');
    expect(attributeValue(catalog, 'companySize', 457)).toBe('457 employees');
    expect(attributeValue(catalog, 'country', 'US')).toBe('United States');
    expect(attributeValue(catalog, 'industry', 'it_services')).toBe('IT services');
  });

  it('names a lead by person and company, falling back to the e-mail', () => {
    expect(
      leadIdentity({ externalId: 'x1', email: 'a@b.io', attributes: { firstName: 'Mia', lastName: 'Lopez', company: 'Acme' } }),
    ).toEqual({
      name: 'Mia Lopez',
      company: 'Acme',
    });
    expect(leadIdentity({ externalId: 'x1', email: 'a@b.io', attributes: {} })).toEqual({ name: 'a@b.io', company: null });
  });

  it('turns error codes into sentences', () => {
    const wrongPassword = new ApiError([
      { message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } },
    ]);
    expect(describeError(wrongPassword)).toEqual({
      sentence: 'The e-mail address or the password is not right. Check both and try again.',
    });
    const limited = new ApiError([{ message: 'Rate limit exceeded; retry in 12 s', extensions: { code: 'RATE_LIMITED' } }]);
    expect(describeError(limited).sentence).toBe('Too many requests in a short time: wait 12 seconds, then try again.');
    expect(describeError(new ApiError([{ message: 'x', extensions: { code: 'QUERY_TIMEOUT' } }])).sentence).toMatch(/took too long/);
    const forbidden = new ApiError([
      { message: 'someone else on the marketing side must approve', extensions: { code: 'FORBIDDEN', reason: 'SELF_APPROVAL' } },
    ]);
    expect(describeError(forbidden).detail).toBe('someone else on the marketing side must approve');
  });

  it('lists a problem repeated by several errors once', () => {
    const problem = { path: 'input.definition.rules[3].event.params.points', message: 'Points are required' };
    const error = new ApiError([
      { message: 'a', extensions: { code: 'BAD_USER_INPUT', problems: [problem] } },
      { message: 'b', extensions: { code: 'BAD_USER_INPUT', problems: [problem] } },
    ]);
    expect(error.problems).toEqual([problem]);
    expect(describeError(error).detail).toBeUndefined();
  });

  it('tells audit entries as sentences', () => {
    expect(describeAuditEntry({ action: 'version.approved', summary: 'marketing approved v3 of default-b2b: looks good' })).toEqual({
      what: 'approved v3 of default-b2b for marketing',
      comment: 'looks good',
      ruleSet: 'default-b2b',
    });
    expect(describeAuditEntry({ action: 'lead.outcome_set', summary: 'Outcome of crm-42: converted' }).what).toBe(
      'recorded the outcome of crm-42: converted',
    );
    expect(describeAuditEntry({ action: 'version.published', summary: 'Published v3 of default-b2b' }).what).toBe(
      'published v3 of default-b2b: leads are re-scored with it',
    );
  });

  it('tells owner, routing and list entries as sentences', () => {
    const say = (action: string, summary: string) => describeAuditEntry({ action, summary }).what;
    expect(say('lead.assigned', 'Lead 12 assigned to Sam Sales by routing rule "Inbound"')).toBe(
      'assigned lead 12 to Sam Sales by routing rule "Inbound"',
    );
    expect(say('lead.unassigned', 'Lead 12 no longer owned by Sam Sales')).toBe('took lead 12 from Sam Sales');
    expect(say('owner.defined', 'Owner Inbound queue (queue, team inbound) defined')).toBe(
      'defined the owner Inbound queue (queue, team inbound)',
    );
    expect(say('owner.updated', 'Owner Sam Sales updated')).toBe('changed the owner Sam Sales');
    expect(say('routing.rules_set', 'Routing rules set: Inbound, Enterprise')).toBe('set the routing rules: Inbound, Enterprise');
    expect(say('webhook.filter_set', 'Webhook crm: filter cells A1')).toBe('set the filter of the webhook crm: cells A1');
    expect(say('lead_list.created', 'Saved list "Hot DACH" for team inbound')).toBe('saved list "Hot DACH" for team inbound');
  });

  it('puts chart ticks on round numbers', () => {
    expect(roundTicks(0.14)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(roundTicks(3.7)).toEqual([0, 1, 2, 3, 4]);
    expect(roundTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(roundTicks(0)).toEqual([0, 1]);
  });
});
