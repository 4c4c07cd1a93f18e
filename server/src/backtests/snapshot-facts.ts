import { coerce, factsFromRow } from '../engine/facts';
import type { FactValue, Facts } from '../engine/rule-engine';
import { LEAD_FIELDS, type ActivityFact, type LeadField, type RuleSetDefinition } from '../engine/ruleset-definition';
import { activityTypeCode, type CohortSnapshot } from './cohort-snapshot';

/**
 * A rule set's facts computed from a cohort snapshot, in plain JavaScript: the same facts
 * engine/facts.ts computes in SQL (buildFactsQuery + factsFromRow) for the lead as of its cutoff.
 * snapshot-facts.test.ts compares the two on real databases, fact by fact.
 *
 * How each part of the SQL is matched:
 * - `a.occurred_at <= asOf`: the snapshot holds only activities at or before the cutoff.
 * - `activityTypes`: a mask over the stored type codes.
 * - `windowDays`: `a.occurred_at > asOf - make_interval(days => N)` is `age < N days` with the age
 *   exact to the microsecond (the database session runs in UTC, where N days are N x 24 h).
 * - `where` (`properties @> where`, flat with scalar values): every key present with a JSON value
 *   of the same type and equal value; an array or object never equals a scalar. Decided once per
 *   distinct property object of the cohort, not once per activity.
 * - `sum`: the property's value where it is a JSON number, otherwise nothing; 0 when no activity
 *   counts. Equal to the SQL for whole numbers (and any binary fractions); for other fractions the
 *   order of additions may differ from PostgreSQL's and so the last bits.
 * - `daysSinceLast`, `daysInactive`: the driver reads timestamps to the millisecond (it drops the
 *   microseconds), so the last activity is `ceil(age)` milliseconds before the cutoff.
 * - Lead fields (email domain, free e-mail, days since created, segment, source): factsFromRow
 *   itself, once per snapshot (they do not depend on the rule set), then looked up.
 * - Attribute facts: factsFromRow's coercion (a value of the wrong type is null).
 * - Facts about the lead's account: the account's current values (snapshot.accounts, read by
 *   snapshot-accounts.ts), coerced the same way; none when the snapshot was loaded without them.
 */

const DAY_MS = 86_400_000;

interface Aggregator {
  fact: ActivityFact;
  /** Type codes counted (1) by code; null for every type. */
  types: Uint8Array | null;
  windowMs: number;
  /** Per property object: 1 when it contains `where`; null without `where`. */
  matches: Uint8Array | null;
  /** Per property object: the summed property when it is a number, else NaN. */
  values: Float64Array | null;
}

/** jsonb containment for a flat object of scalars, as `properties @> where` decides it. */
export function containsScalars(properties: Record<string, unknown>, where: Record<string, string | number | boolean>): boolean {
  for (const [key, expected] of Object.entries(where)) {
    if (!Object.hasOwn(properties, key)) return false;
    const actual = properties[key];
    if (typeof actual !== typeof expected || actual !== expected) return false;
  }
  return true;
}

function aggregatorFor(fact: ActivityFact, properties: ReadonlyArray<Record<string, unknown>>, typeNames: readonly string[]): Aggregator {
  let types: Uint8Array | null = null;
  if (fact.activityTypes?.length) {
    types = new Uint8Array(typeNames.length);
    for (const type of fact.activityTypes) {
      const code = activityTypeCode(type, typeNames);
      if (code > 0) types[code] = 1;
    }
  }
  let matches: Uint8Array | null = null;
  if (fact.where && Object.keys(fact.where).length > 0) {
    const where = fact.where;
    matches = Uint8Array.from(properties, (object) => (containsScalars(object, where) ? 1 : 0));
  }
  let values: Float64Array | null = null;
  if (fact.aggregate === 'sum') {
    const key = fact.property ?? '';
    values = Float64Array.from(properties, (object) => {
      const value = Object.hasOwn(object, key) ? object[key] : undefined;
      return typeof value === 'number' ? value : Number.NaN;
    });
  }
  return { fact, types, windowMs: fact.windowDays === undefined ? Number.POSITIVE_INFINITY : fact.windowDays * DAY_MS, matches, values };
}

const LEAD_FIELD_DEFINITION = {
  facts: LEAD_FIELDS.map((field) => ({ name: field, type: 'string', source: 'lead', field })),
} as unknown as RuleSetDefinition; // factsFromRow reads only `facts`

/** Every lead field of every lead, computed once per snapshot with factsFromRow. */
const leadFieldCache = new WeakMap<CohortSnapshot, Record<LeadField, FactValue[]>>();

function leadFieldsOf(snapshot: CohortSnapshot): Record<LeadField, FactValue[]> {
  let fields = leadFieldCache.get(snapshot);
  if (fields) return fields;
  const built = Object.fromEntries(LEAD_FIELDS.map((field) => [field, new Array<FactValue>(snapshot.size)])) as Record<
    LeadField,
    FactValue[]
  >;
  for (let i = 0; i < snapshot.size; i++) {
    const facts = factsFromRow(
      LEAD_FIELD_DEFINITION,
      {
        lead_id: snapshot.leadIds[i],
        email: snapshot.emails[i],
        segment: snapshot.segments[i],
        source: snapshot.sources[i],
        attributes: {},
        created_at: new Date(snapshot.createdAt[i]),
        last_activity_at: null,
      },
      new Date(snapshot.cutoffAt[i]),
    );
    for (const field of LEAD_FIELDS) built[field][i] = facts[field];
  }
  fields = built;
  leadFieldCache.set(snapshot, fields);
  return fields;
}

export interface SnapshotFacts {
  /** Lead i's facts as of its cutoff, as factsFromRow gives them (a new object each call). */
  factsOf(i: number): Facts;
  /** The same, written into `target` (every fact of the definition, in its order) and returned. */
  factsInto(i: number, target: Facts): Facts;
  /** Whole days without any activity before lead i's cutoff (since creation when none), for decay. */
  daysInactiveOf(i: number): number;
}

type FactReader = (i: number) => FactValue;

export function createSnapshotFacts(definition: RuleSetDefinition, snapshot: CohortSnapshot): SnapshotFacts {
  const aggregators: Aggregator[] = [];
  const counts: number[] = [];
  const minAges: number[] = [];
  const sums: number[] = [];
  const { activityOffsets: offsets, activityTypes: types, activityAgeMs: ages, activityProperties: props } = snapshot;
  const leadFields = definition.facts.some((fact) => fact.source === 'lead') ? leadFieldsOf(snapshot) : null;

  // One reader per fact, in the definition's order (so every facts object has the same shape).
  const names: string[] = [];
  const readers: FactReader[] = definition.facts.map((fact): FactReader => {
    names.push(fact.name);
    if (fact.source === 'attribute') {
      const key = fact.attribute ?? fact.name;
      const type = fact.type;
      return (i) => coerce(snapshot.attributes[i][key], type);
    }
    if (fact.source === 'lead') {
      const values = leadFields![fact.field];
      return (i) => values[i];
    }
    if (fact.source === 'accountAttribute' || fact.source === 'account') {
      // Current values, not as of the cutoff (accounts keep no history): see snapshot-accounts.ts.
      const key = fact.source === 'account' ? fact.field : (fact.attribute ?? fact.name);
      const columns = fact.source === 'account' ? snapshot.accounts?.scores : snapshot.accounts?.attributes;
      const type = fact.type;
      return columns ? (i) => coerce(columns[i]?.[key], type) : () => null;
    }
    if (fact.source === 'contacts') return () => null; // account rule sets only (refused in lead rule sets)
    const f = aggregators.length;
    aggregators.push(aggregatorFor(fact, snapshot.properties, snapshot.activityTypeNames));
    counts.push(0);
    minAges.push(0);
    sums.push(0);
    switch (fact.aggregate) {
      case 'exists':
        return () => counts[f] > 0;
      case 'daysSinceLast':
        return () => (minAges[f] === Number.POSITIVE_INFINITY ? null : Math.floor(Math.ceil(minAges[f]) / DAY_MS));
      case 'sum':
        return () => sums[f];
      default:
        return () => counts[f];
    }
  });
  const k = aggregators.length;
  const n = readers.length;
  const daysInactive = daysInactiveColumn(snapshot);

  const factsInto = (i: number, target: Facts): Facts => {
    for (let f = 0; f < k; f++) {
      counts[f] = 0;
      minAges[f] = Number.POSITIVE_INFINITY;
      sums[f] = 0;
    }
    const end = offsets[i + 1];
    for (let j = offsets[i]; j < end; j++) {
      const type = types[j];
      const age = ages[j];
      const prop = props[j];
      for (let f = 0; f < k; f++) {
        const agg = aggregators[f];
        if (agg.types !== null && agg.types[type] !== 1) continue;
        if (!(age < agg.windowMs)) continue;
        if (agg.matches !== null && agg.matches[prop] === 0) continue;
        counts[f] += 1;
        if (age < minAges[f]) minAges[f] = age;
        if (agg.values !== null) {
          const value = agg.values[prop];
          if (!Number.isNaN(value)) sums[f] += value;
        }
      }
    }
    for (let r = 0; r < n; r++) target[names[r]] = readers[r](i);
    return target;
  };

  return {
    factsOf: (i) => factsInto(i, {}),
    factsInto,

    daysInactiveOf: (i: number) => daysInactive[i],
  };
}

/** Every lead's daysInactive, computed once per snapshot (it depends on no rule set). */
const daysInactiveCache = new WeakMap<CohortSnapshot, Float64Array>();

function daysInactiveColumn(snapshot: CohortSnapshot): Float64Array {
  const cached = daysInactiveCache.get(snapshot);
  if (cached) return cached;
  const { activityOffsets: offsets, activityAgeMs: ages, cutoffAt, createdAt } = snapshot;
  const days = new Float64Array(snapshot.size);
  for (let i = 0; i < snapshot.size; i++) {
    let min = Number.POSITIVE_INFINITY;
    for (let j = offsets[i]; j < offsets[i + 1]; j++) if (ages[j] < min) min = ages[j];
    // facts.ts daysInactive: whole days since the last activity, or since creation when none.
    const elapsed = min === Number.POSITIVE_INFINITY ? cutoffAt[i] - createdAt[i] : Math.ceil(min);
    days[i] = Math.max(0, Math.floor(elapsed / DAY_MS));
  }
  daysInactiveCache.set(snapshot, days);
  return days;
}
