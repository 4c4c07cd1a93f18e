import type { Problem } from '../common/errors';

/* The `leads` filter: its limits, its problems, and its SQL. */

export interface LeadFilterData {
  cells?: string[] | null;
  bands?: string[] | null;
  qualified?: boolean | null;
  minTotal?: number | null;
  maxTotal?: number | null;
  segment?: string | null;
  ruleSetKey?: string | null;
  outcome?: string | null;
  /** Prefix of email or externalId, case-insensitive. */
  search?: string | null;
  /** Attribute equals one of the values. */
  attributes?: Array<{ name: string; values: unknown[] }> | null;
  /** Owned by this owner (lead_owner id). */
  ownerId?: string | null;
  /** Owned by the signed-in user's owner: needs `viewerUserId` (withViewer). */
  mine?: boolean | null;
  /** The signed-in user `mine` means, set by the resolver from the request (withViewer), never by the client. */
  viewerUserId?: string | null;
  /**
   * The lead score model (ScoreModel.key) the score conditions and SCORE_* orders read, set by the
   * resolver from `leads(model:)` (checked to be a lead model); absent or 'default': lead_score.
   */
  model?: string | null;
}

/** The alias the score conditions read: `s` (lead_score) for the default model, `m` (model_score) for another. */
export function scoreAlias(filter: Pick<LeadFilterData, 'model'> | null | undefined): 's' | 'm' {
  return filter?.model && filter.model !== 'default' ? 'm' : 's';
}

/**
 * The join of another model's scores (alias `m`, only leads scored in it), after `lead l JOIN
 * lead_score s`; empty for the default model. Its value is appended to `params`.
 */
export function modelJoinSql(filter: Pick<LeadFilterData, 'model'> | null | undefined, params: unknown[]): string {
  if (scoreAlias(filter) === 's') return '';
  params.push(filter?.model);
  return `JOIN model_score m ON m.model = $${params.length}::text AND m.subject_id = l.id`;
}

/** The filter as the signed-in user asks it: `mine` then means their own leads (null for an API key). */
export function withViewer<F extends LeadFilterData>(filter: F | null, principal: { kind: string; userId?: string } | null): F | null {
  if (!filter?.mine) return filter;
  return { ...filter, viewerUserId: principal?.kind === 'user' ? (principal.userId ?? null) : null };
}

/**
 * The size of a `leads` filter. Each attribute filter is one condition whatever its number of
 * values (a hashed `= ANY`), so these bound the request's size, not a cost that grows with it.
 */
export const LEAD_FILTER_LIMITS = {
  /** Attribute filters in one filter. */
  attributeFilters: 20,
  /** Values of one attribute filter. */
  valuesPerAttribute: 100,
  /** Values of all attribute filters together. */
  attributeValues: 500,
  /** Characters of one string value (or of one element of an array value). */
  valueLength: 500,
  /** Entries of `cells` and `bands`. */
  listEntries: 50,
} as const;

/**
 * The WHERE conditions of a filter over `lead l JOIN lead_score s` (and, for another model,
 * modelJoinSql's `m`, whose scores the score conditions then read), its values appended to `params`.
 */
export function leadFilterSql(filter: LeadFilterData, params: unknown[]): string[] {
  const add = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const where: string[] = [];
  const s = scoreAlias(filter);
  if (filter.cells?.length) where.push(`${s}.cell = ANY(${add(filter.cells, 'text[]')})`);
  if (filter.bands?.length) where.push(`${s}.band = ANY(${add(filter.bands, 'text[]')})`);
  if (filter.qualified != null) where.push(`${s}.qualified = ${add(filter.qualified, 'boolean')}`);
  if (filter.minTotal != null) where.push(`${s}.total >= ${add(filter.minTotal, 'int')}`);
  if (filter.maxTotal != null) where.push(`${s}.total <= ${add(filter.maxTotal, 'int')}`);
  if (filter.segment != null) where.push(`l.segment = ${add(filter.segment, 'text')}`);
  if (filter.ruleSetKey != null) where.push(`${s}.rule_set_key = ${add(filter.ruleSetKey, 'text')}`);
  if (filter.outcome != null) where.push(`l.outcome = ${add(filter.outcome, 'text')}`);
  if (filter.ownerId != null) where.push(`l.owner_id = ${add(filter.ownerId, 'uuid')}`);
  // Only a true `mine` narrows; the user's owner row is one indexed probe (lead_owner_user).
  if (filter.mine)
    where.push(`l.owner_id = (SELECT o.id FROM lead_owner o WHERE o.user_id = ${add(filter.viewerUserId ?? null, 'bigint')})`);
  if (filter.search) {
    const pattern = add(`${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`, 'text');
    where.push(`(lower(l.email) LIKE ${pattern} OR lower(l.external_id) LIKE ${pattern})`);
  }
  // "Equals one of the values", as jsonb containment would say it: a scalar value is compared with
  // the attribute's value through one hashed `= ANY` (cost flat in the number of values); an array
  // value (string[] attributes) still means "contains these", one `@> ANY` over the few given.
  for (const attribute of filter.attributes ?? []) {
    const scalars = attribute.values.filter((value) => value === null || typeof value !== 'object');
    const containers = attribute.values.filter((value) => value !== null && typeof value === 'object');
    const arms: string[] = [];
    if (scalars.length)
      arms.push(
        `l.attributes -> ${add(attribute.name, 'text')} = ANY(${add(
          scalars.map((value) => JSON.stringify(value)),
          'jsonb[]',
        )})`,
      );
    if (containers.length)
      arms.push(
        `l.attributes @> ANY(${add(
          containers.map((value) => JSON.stringify({ [attribute.name]: value })),
          'jsonb[]',
        )})`,
      );
    where.push(arms.length === 1 ? arms[0] : `(${arms.join(' OR ')})`);
  }
  return where;
}

/** Problems of a filter value: a string, number, boolean or null, or an array of them; strings bounded. */
function valueProblem(value: unknown, depth = 0): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (typeof value === 'string')
    return value.length <= LEAD_FILTER_LIMITS.valueLength ? null : `strings of at most ${LEAD_FILTER_LIMITS.valueLength} characters`;
  if (Array.isArray(value) && depth === 0) {
    if (value.length > LEAD_FILTER_LIMITS.valuesPerAttribute)
      return `an array value holds at most ${LEAD_FILTER_LIMITS.valuesPerAttribute} elements`;
    for (const element of value) {
      const problem = valueProblem(element, 1);
      if (problem) return problem;
    }
    return null;
  }
  return 'must be a string, a number, true/false, null or an array of those';
}

/** Problems of a filter's size, found before anything is looked up. */
export function filterSizeProblems(filter: LeadFilterData): Problem[] {
  const problems: Problem[] = [];
  const limits = LEAD_FILTER_LIMITS;
  const attributes = filter.attributes ?? [];
  if (attributes.length > limits.attributeFilters) {
    problems.push({
      path: 'filter.attributes',
      message: `at most ${limits.attributeFilters} attribute filters, got ${attributes.length}`,
    });
  }
  for (const list of ['cells', 'bands'] as const) {
    const entries = filter[list]?.length ?? 0;
    if (entries > limits.listEntries)
      problems.push({ path: `filter.${list}`, message: `at most ${limits.listEntries} entries, got ${entries}` });
  }
  if (filter.ownerId != null && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(filter.ownerId))
    problems.push({ path: 'filter.ownerId', message: `no owner with id "${filter.ownerId.slice(0, 40)}"` });
  if (filter.mine && !filter.viewerUserId)
    problems.push({ path: 'filter.mine', message: "means the signed-in user's leads: sign in as a user (an API key owns no leads)" });
  return problems;
}

/** Problems of a filter's attribute names and values (against the catalog), search and score range. */
export function filterValueProblems(filter: LeadFilterData, catalog: ReadonlyMap<string, unknown>, searchLength: number): Problem[] {
  const problems: Problem[] = [];
  const limits = LEAD_FILTER_LIMITS;
  const attributes = filter.attributes ?? [];
  let values = 0;
  attributes.forEach((attribute, index) => {
    const path = `filter.attributes[${index}]`;
    if (!catalog.has(attribute.name))
      problems.push({ path: `${path}.name`, message: `unknown attribute "${attribute.name.slice(0, 64)}"` });
    if (!attribute.values.length || attribute.values.length > limits.valuesPerAttribute) {
      problems.push({ path: `${path}.values`, message: `give 1 to ${limits.valuesPerAttribute} values, got ${attribute.values.length}` });
      return;
    }
    const before = values;
    values += attribute.values.length;
    if (before <= limits.attributeValues && values > limits.attributeValues) {
      problems.push({
        path: `${path}.values`,
        message: `the attribute filters hold at most ${limits.attributeValues} values together; this one brings them to ${values}`,
      });
    }
    attribute.values.forEach((value, valueIndex) => {
      const problem = valueProblem(value);
      if (problem) problems.push({ path: `${path}.values[${valueIndex}]`, message: problem });
    });
  });
  if (filter.search && filter.search.length > searchLength)
    problems.push({ path: 'filter.search', message: `at most ${searchLength} characters` });
  if (filter.minTotal != null && filter.maxTotal != null && filter.minTotal > filter.maxTotal) {
    problems.push({ path: 'filter.minTotal', message: `is above filter.maxTotal (${filter.maxTotal})` });
  }
  return problems;
}
