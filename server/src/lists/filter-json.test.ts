import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { filterFromJson, filterToVariables } from './filter-json';

/* Saved and URL filters go through the schema's LeadFilter type: enum names out, coercion in. */
const schema = buildSchema(`
  enum LeadOutcome { OPEN CONVERTED }
  input AttributeFilter { name: String!, values: [Int!]! }
  input LeadFilter { cells: [String!], qualified: Boolean, outcome: LeadOutcome, attributes: [AttributeFilter!] }
  type Query { ok: Boolean }
`);
// What resolvers see of the enum (type-graphql registers internal values; buildSchema uses the names).
const outcome = schema.getType('LeadOutcome') as unknown as { getValue(name: string): { value: unknown } };
outcome.getValue('OPEN').value = 'open';

describe('filter JSON', () => {
  it('writes a stored filter as a `leads` variable: enum names, empty fields and unknown keys left out', () => {
    expect(filterToVariables(schema, { outcome: 'open', cells: ['A1'], qualified: null, viewerUserId: '7' } as never)).toEqual({
      outcome: 'OPEN',
      cells: ['A1'],
    });
  });

  it('reads URL JSON as GraphQL coerces a variable, each problem at its path', () => {
    expect(filterFromJson(schema, { outcome: 'OPEN', cells: 'A1' }, 'filter')).toEqual({
      filter: { outcome: 'open', cells: ['A1'] },
      problems: [],
    });
    const { problems } = filterFromJson(schema, { qualified: 'yes', attributes: [{ name: 'x', values: ['a'] }], shoe: 1 }, 'filter');
    expect(problems.map((problem) => problem.path).sort()).toEqual(['filter', 'filter.attributes[0].values[0]', 'filter.qualified']);
  });
});
