import { ACTIVITY_TYPES } from '../engine/ruleset-definition';

/**
 * A prepared cohort in memory, columnar: one entry per lead in the typed arrays, and the leads'
 * activities before their cutoff laid end to end (lead i's are `activityOffsets[i]` up to
 * `activityOffsets[i + 1]`). Rule-set independent: snapshot-facts.ts computes any rule set's facts
 * from it. Pure data; cohort-snapshot rows come from backtest_cohort_lead.
 */
export interface CohortSnapshot {
  cohortId: string;
  checksum: string;
  size: number;
  leadIds: string[];
  externalIds: string[];
  emails: Array<string | null>;
  segments: Array<string | null>;
  sources: Array<string | null>;
  attributes: Array<Record<string, unknown>>;
  /** Epoch milliseconds, as the database driver reads them. */
  createdAt: Float64Array;
  cutoffAt: Float64Array;
  converted: Uint8Array;
  /** 1 when the lead was converted or lost (its cutoff is then before the outcome). */
  decided: Uint8Array;
  /** Deal value of the lead; 0 when none. */
  dealValue: Float64Array;
  activityOffsets: Uint32Array;
  /** The activity type's code in the catalog (activityTypeNames[code] is its name); 0 for a type the catalog does not know. */
  activityTypes: Uint16Array;
  /**
   * Type names by code, index 0 being ''. Codes are the catalog's stable codes (the built-in
   * types are 1..18, as stored before the catalog was open), read when the snapshot is loaded.
   */
  activityTypeNames: readonly string[];
  /** How long before the lead's cutoff the activity happened (exact to the microsecond). */
  activityAgeMs: Float64Array;
  /** Index into `properties`. */
  activityProperties: Uint32Array;
  /** Distinct property objects of the cohort's activities; 0 is the empty object. */
  properties: ReadonlyArray<Record<string, unknown>>;
  /** The leads' CURRENT account columns, for rule sets with facts about accounts (snapshot-accounts.ts). */
  accounts?: SnapshotAccounts;
}

/** Each cohort lead's account attributes and default account model score by field, by index (null: none). */
export interface SnapshotAccounts {
  attributes: Array<Record<string, unknown> | null>;
  scores: Array<Record<string, unknown> | null>;
}

/** Type names by code when no catalog is read: the built-in types (codes 1..18). */
export const BUILT_IN_TYPE_NAMES: readonly string[] = ['', ...ACTIVITY_TYPES];

/** Activity type code as stored in a snapshot (0 for a name `names` does not hold). */
export function activityTypeCode(type: string, names: readonly string[] = BUILT_IN_TYPE_NAMES): number {
  const code = names.indexOf(type);
  return Math.max(code, 0);
}

/** One backtest_cohort_lead row as the loader reads it: times in epoch ms, arrays as comma-separated text. */
export interface SnapshotRow {
  lead_id: string;
  external_id: string;
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown>;
  created_ms: number;
  cutoff_ms: number;
  converted: boolean;
  decided: boolean;
  deal_value: number | string | null;
  activity_types: string;
  activity_age_ms: string;
  activity_properties: string;
}

/** Grows typed arrays while rows stream in, then hands out a CohortSnapshot. */
export class SnapshotBuilder {
  private size = 0;
  private activities = 0;
  private readonly leadIds: string[] = [];
  private readonly externalIds: string[] = [];
  private readonly emails: Array<string | null> = [];
  private readonly segments: Array<string | null> = [];
  private readonly sources: Array<string | null> = [];
  private readonly attributes: Array<Record<string, unknown>> = [];
  private readonly strings = new Map<string, string>();
  private createdAt: Float64Array;
  private cutoffAt: Float64Array;
  private converted: Uint8Array;
  private decided: Uint8Array;
  private dealValue: Float64Array;
  private offsets: Uint32Array;
  private types: Uint16Array;
  private ages: Float64Array;
  private props: Uint32Array;

  constructor(expectedLeads = 1024, expectedActivities = expectedLeads * 8) {
    const leads = Math.max(16, expectedLeads);
    const activities = Math.max(16, expectedActivities);
    this.createdAt = new Float64Array(leads);
    this.cutoffAt = new Float64Array(leads);
    this.converted = new Uint8Array(leads);
    this.decided = new Uint8Array(leads);
    this.dealValue = new Float64Array(leads);
    this.offsets = new Uint32Array(leads + 1);
    this.types = new Uint16Array(activities);
    this.ages = new Float64Array(activities);
    this.props = new Uint32Array(activities);
  }

  add(row: SnapshotRow): void {
    const i = this.size;
    if (i + 1 >= this.offsets.length) this.growLeads();
    const types = row.activity_types === '' ? [] : row.activity_types.split(',');
    const ages = row.activity_age_ms === '' ? [] : row.activity_age_ms.split(',');
    const props = row.activity_properties === '' ? [] : row.activity_properties.split(',');
    const count = types.length;
    while (this.activities + count > this.types.length) this.growActivities();
    this.leadIds.push(row.lead_id);
    this.externalIds.push(row.external_id);
    this.emails.push(row.email);
    this.segments.push(this.intern(row.segment));
    this.sources.push(this.intern(row.source));
    this.attributes.push(this.internValues(row.attributes ?? {}));
    this.createdAt[i] = Number(row.created_ms);
    this.cutoffAt[i] = Number(row.cutoff_ms);
    this.converted[i] = row.converted ? 1 : 0;
    this.decided[i] = row.decided ? 1 : 0;
    this.dealValue[i] = row.deal_value == null ? 0 : Number(row.deal_value);
    const start = this.activities;
    for (let j = 0; j < count; j++) {
      this.types[start + j] = Number(types[j]);
      this.ages[start + j] = Number(ages[j]);
      this.props[start + j] = Number(props[j]);
    }
    this.activities += count;
    this.size = i + 1;
    this.offsets[this.size] = this.activities;
  }

  build(meta: {
    cohortId: string;
    checksum: string;
    properties: ReadonlyArray<Record<string, unknown>>;
    activityTypeNames?: readonly string[];
  }): CohortSnapshot {
    const n = this.size;
    const a = this.activities;
    return {
      cohortId: meta.cohortId,
      checksum: meta.checksum,
      size: n,
      leadIds: this.leadIds,
      externalIds: this.externalIds,
      emails: this.emails,
      segments: this.segments,
      sources: this.sources,
      attributes: this.attributes,
      createdAt: this.createdAt.slice(0, n),
      cutoffAt: this.cutoffAt.slice(0, n),
      converted: this.converted.slice(0, n),
      decided: this.decided.slice(0, n),
      dealValue: this.dealValue.slice(0, n),
      activityOffsets: this.offsets.slice(0, n + 1),
      activityTypes: this.types.slice(0, a),
      activityTypeNames: meta.activityTypeNames ?? BUILT_IN_TYPE_NAMES,
      activityAgeMs: this.ages.slice(0, a),
      activityProperties: this.props.slice(0, a),
      properties: meta.properties,
    };
  }

  /** One string object per distinct short value (the driver makes one per row); at most 10,000 kept. */
  private intern(value: string | null): string | null {
    if (value === null) return null;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < 10_000) this.strings.set(value, value);
    return value;
  }

  /** The attributes with their short string values interned (an industry or a country is one string for the whole cohort). */
  private internValues(attributes: Record<string, unknown>): Record<string, unknown> {
    for (const key in attributes) {
      const value = attributes[key];
      if (typeof value === 'string' && value.length <= 32) attributes[key] = this.intern(value);
    }
    return attributes;
  }

  private growLeads(): void {
    const size = this.offsets.length * 2;
    this.createdAt = grow(this.createdAt, size);
    this.cutoffAt = grow(this.cutoffAt, size);
    this.converted = grow(this.converted, size);
    this.decided = grow(this.decided, size);
    this.dealValue = grow(this.dealValue, size);
    this.offsets = grow(this.offsets, size + 1);
  }

  private growActivities(): void {
    const size = this.types.length * 2;
    this.types = grow(this.types, size);
    this.ages = grow(this.ages, size);
    this.props = grow(this.props, size);
  }
}

function grow<T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (length: number) => T)(size);
  next.set(array);
  return next;
}

/** Snapshots of consecutive lead ranges, end to end (their property and type name lists must be the same). */
export function concatSnapshots(parts: CohortSnapshot[]): CohortSnapshot {
  if (parts.length === 1) return parts[0];
  const cat = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(pick: (part: CohortSnapshot) => T): T => {
    const arrays = parts.map(pick);
    const out = new (arrays[0].constructor as new (length: number) => T)(arrays.reduce((sum, a) => sum + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const offsets = new Uint32Array(parts.reduce((sum, part) => sum + part.size, 0) + 1);
  let lead = 0;
  let activity = 0;
  for (const part of parts) {
    for (let i = 1; i <= part.size; i++) offsets[lead + i] = activity + part.activityOffsets[i];
    lead += part.size;
    activity += part.activityTypes.length;
  }
  const list = <T>(pick: (part: CohortSnapshot) => T[]): T[] => parts.flatMap(pick);
  return {
    cohortId: parts[0].cohortId,
    checksum: parts[0].checksum,
    size: lead,
    leadIds: list((p) => p.leadIds),
    externalIds: list((p) => p.externalIds),
    emails: list((p) => p.emails),
    segments: list((p) => p.segments),
    sources: list((p) => p.sources),
    attributes: list((p) => p.attributes),
    createdAt: cat((p) => p.createdAt),
    cutoffAt: cat((p) => p.cutoffAt),
    converted: cat((p) => p.converted),
    decided: cat((p) => p.decided),
    dealValue: cat((p) => p.dealValue),
    activityOffsets: offsets,
    activityTypes: cat((p) => p.activityTypes),
    activityTypeNames: parts[0].activityTypeNames,
    activityAgeMs: cat((p) => p.activityAgeMs),
    activityProperties: cat((p) => p.activityProperties),
    properties: parts[0].properties,
  };
}

/** Bytes a snapshot holds in typed arrays (strings and attribute objects not counted). */
export function snapshotBytes(snapshot: CohortSnapshot): number {
  return (
    snapshot.createdAt.byteLength +
    snapshot.cutoffAt.byteLength +
    snapshot.converted.byteLength +
    snapshot.decided.byteLength +
    snapshot.dealValue.byteLength +
    snapshot.activityOffsets.byteLength +
    snapshot.activityTypes.byteLength +
    snapshot.activityAgeMs.byteLength +
    snapshot.activityProperties.byteLength
  );
}
