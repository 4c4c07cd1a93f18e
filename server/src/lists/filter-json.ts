import {
  coerceInputValue,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import type { Problem } from '../common/errors';
import type { LeadFilterData } from '../leads/lead-filter';

/*
 * A LeadFilter travels outside GraphQL arguments twice: saved lists hand it back as JSON (to be passed
 * to `leads` as a variable), and the CSV export takes it in its URL. Both go through the schema's own
 * LeadFilter input type, so they accept and print exactly what `leads(filter:)` does, fields the
 * owners or leads domains add included.
 */

/** A value of an input type, as resolvers receive it, written as a client would send it in variables (enum names, not values). */
export function inputToVariables(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return inputToVariables(value, type.ofType);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => inputToVariables(item, type.ofType));
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    const out: Record<string, unknown> = {};
    for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      if (fields[name] && fieldValue !== null && fieldValue !== undefined) out[name] = inputToVariables(fieldValue, fields[name].type);
    }
    return out;
  }
  if (isEnumType(type)) return type.serialize(value);
  return value;
}

function leadFilterType(schema: GraphQLSchema): GraphQLInputType {
  const type = schema.getType('LeadFilter');
  if (!type || !isInputObjectType(type)) throw new Error('the schema has no LeadFilter input type');
  return type;
}

/** A saved filter as the `leads` query's `filter` variable. */
export function filterToVariables(schema: GraphQLSchema, filter: LeadFilterData): Record<string, unknown> {
  return inputToVariables(filter, leadFilterType(schema)) as Record<string, unknown>;
}

/** JSON a client wrote as a LeadFilter variable, coerced as GraphQL would; each problem located under `root`. */
export function filterFromJson(schema: GraphQLSchema, json: unknown, root: string): { filter: LeadFilterData; problems: Problem[] } {
  const problems: Problem[] = [];
  const filter = coerceInputValue(json, leadFilterType(schema), (path, _invalid, error) => {
    const where = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
    problems.push({ path: `${root}${where}`, message: error.message });
  }) as LeadFilterData | null;
  return { filter: filter ?? {}, problems: problems.slice(0, 20) };
}
