import { checksumOf } from '../engine/canonical-json';
import type { Problem } from '../common/errors';

/** Which leads a backtest looks at, and as of when. As given by a caller. */
export interface CohortSpecInput {
  createdFrom?: Date | string | null;
  createdTo?: Date | string | null;
  source?: string | null;
  segment?: string | null;
  attributes?: Array<{ name: string; value: unknown }> | null;
  cutoffAt?: Date | string | null;
  cutoffDaysAfterCreation?: number | null;
}

export type CohortCutoff = { kind: 'fixed'; at: string } | { kind: 'daysAfterCreation'; days: number };

/**
 * A cohort, normalised: leads created in [createdFrom, createdTo), optionally of one source and
 * segment and with attributes equal to given values; each lead's facts as of the cutoff (a fixed
 * time, or N days after its creation), and always before its outcome. Its checksum identifies it.
 */
export interface CohortSpec {
  createdFrom: string;
  createdTo: string;
  source: string | null;
  segment: string | null;
  /** Sorted by name. */
  attributes: Array<{ name: string; value: string | number | boolean }>;
  cutoff: CohortCutoff;
}

export const MAX_CUTOFF_DAYS = 3650;
/** The attribute filters become one jsonb containment (cost flat in their number); these bound the spec's size. */
const MAX_ATTRIBUTE_FILTERS = 20;
const MAX_VALUE_LENGTH = 500;

function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Checks and normalises a cohort spec. `knownAttributes` is the attribute catalog; problems are
 * reported under `path` (e.g. input.cohort.createdFrom).
 */
export function normaliseCohortSpec(
  input: CohortSpecInput,
  options: { path: string; knownAttributes: ReadonlySet<string>; now?: Date },
): { spec: CohortSpec | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (field: string) => `${options.path}.${field}`;
  const now = options.now ?? new Date();

  const from = toDate(input.createdFrom);
  const to = toDate(input.createdTo);
  if (!from) problems.push({ path: at('createdFrom'), message: 'is required: the earliest creation time of the cohort’s leads' });
  if (!to) problems.push({ path: at('createdTo'), message: 'is required: the creation time the cohort’s leads are before (exclusive)' });
  if (from && to && from.getTime() >= to.getTime())
    problems.push({ path: at('createdTo'), message: `must be after createdFrom (${from.toISOString()})` });
  if (from && from.getTime() > now.getTime())
    problems.push({ path: at('createdFrom'), message: 'must not be in the future: a backtest looks at leads that exist' });

  for (const field of ['source', 'segment'] as const) {
    const value = input[field];
    if (value !== null && value !== undefined && (value.trim() === '' || value.length > 200))
      problems.push({ path: at(field), message: 'must be 1 to 200 characters, or omitted for any' });
  }

  const attributes: CohortSpec['attributes'] = [];
  const filters = input.attributes ?? [];
  if (filters.length > MAX_ATTRIBUTE_FILTERS)
    problems.push({ path: at('attributes'), message: `at most ${MAX_ATTRIBUTE_FILTERS} filters, got ${filters.length}` });
  const seen = new Set<string>();
  filters.slice(0, MAX_ATTRIBUTE_FILTERS).forEach((filter, index) => {
    const path = at(`attributes[${index}]`);
    if (!options.knownAttributes.has(filter.name)) problems.push({ path: `${path}.name`, message: `unknown attribute "${filter.name}"` });
    else if (seen.has(filter.name)) problems.push({ path: `${path}.name`, message: `"${filter.name}" is filtered twice` });
    seen.add(filter.name);
    const value = filter.value;
    if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH)
      problems.push({ path: `${path}.value`, message: `at most ${MAX_VALUE_LENGTH} characters` });
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      attributes.push({ name: filter.name, value });
    else problems.push({ path: `${path}.value`, message: 'must be a string, a number or true/false (the attribute equals it)' });
  });
  attributes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let cutoff: CohortCutoff | null = null;
  const hasFixed = input.cutoffAt !== null && input.cutoffAt !== undefined;
  const hasDays = input.cutoffDaysAfterCreation !== null && input.cutoffDaysAfterCreation !== undefined;
  if (hasFixed === hasDays) {
    problems.push({ path: at('cutoffAt'), message: 'give exactly one of cutoffAt (a fixed time) or cutoffDaysAfterCreation' });
  } else if (hasFixed) {
    const cutoffAt = toDate(input.cutoffAt);
    if (!cutoffAt) problems.push({ path: at('cutoffAt'), message: 'must be a date-time' });
    else if (cutoffAt.getTime() > now.getTime()) problems.push({ path: at('cutoffAt'), message: 'must not be in the future' });
    else if (to && cutoffAt.getTime() < to.getTime())
      problems.push({
        path: at('cutoffAt'),
        message: `must be at or after createdTo (${to.toISOString()}), when every lead of the cohort exists`,
      });
    else cutoff = { kind: 'fixed', at: new Date(Math.floor(cutoffAt.getTime())).toISOString() };
  } else {
    const days = input.cutoffDaysAfterCreation as number;
    if (!Number.isInteger(days) || days < 0 || days > MAX_CUTOFF_DAYS)
      problems.push({ path: at('cutoffDaysAfterCreation'), message: `must be a whole number of days from 0 to ${MAX_CUTOFF_DAYS}` });
    else cutoff = { kind: 'daysAfterCreation', days };
  }

  if (problems.length || !from || !to || !cutoff) return { spec: null, problems };
  return {
    spec: {
      createdFrom: from.toISOString(),
      createdTo: to.toISOString(),
      source: input.source ?? null,
      segment: input.segment ?? null,
      attributes,
      cutoff,
    },
    problems,
  };
}

export function cohortChecksum(spec: CohortSpec): string {
  return checksumOf(spec);
}

/** One line saying what the cohort is, for lists and logs. */
export function describeCohort(spec: CohortSpec): string {
  const parts = [`leads created ${spec.createdFrom} to ${spec.createdTo}`];
  if (spec.source) parts.push(`source ${spec.source}`);
  if (spec.segment) parts.push(`segment ${spec.segment}`);
  for (const { name, value } of spec.attributes) parts.push(`${name} = ${JSON.stringify(value)}`);
  parts.push(spec.cutoff.kind === 'fixed' ? `as of ${spec.cutoff.at}` : `as of ${spec.cutoff.days} days after creation`);
  return parts.join(', ');
}
