import type { AttributeSpec } from '../leads/attribute-catalog';
import type { LeadOutcome } from '../leads/lead.entity';
import type { ActivityType } from '../engine/ruleset-definition';
import type { MappedAttribute } from '../common/mapping-attributes';

/* The import mapping document (rules/import-mapping.schema.json) and the rows it turns CSV text into. */

export type { ImportAttributeType } from '../common/mapping-attributes';

export interface NormaliseOptions {
  trim?: boolean;
  nullValues?: string[];
  case?: 'lower' | 'upper' | 'none';
  map?: Record<string, string | null>;
  unmapped?: 'keep' | 'null' | 'reject';
  trueValues?: string[];
  falseValues?: string[];
  separator?: string;
}

export type ColumnRef = string | { column: string; normalise?: NormaliseOptions };
export type ValueRef = ColumnRef | { value: string };

export interface AttributeMapping extends MappedAttribute {
  normalise?: NormaliseOptions;
}

export interface OutcomeMapping {
  column: string;
  converted: string[];
  lost: string[];
  open?: string[];
  dateColumn?: string;
  dealValueColumn?: string;
}

export interface ActivityMapping {
  column: string;
  types: Record<string, ActivityType | null>;
  otherType?: ActivityType | null;
  occurredAtColumn?: string;
}

export interface ImportMapping {
  $schema?: string;
  formatVersion: 1;
  name: string;
  description?: string;
  delimiter?: string;
  defaults?: NormaliseOptions;
  externalId: ColumnRef;
  email?: ColumnRef;
  source?: ValueRef;
  segment?: ValueRef;
  createdAt?: ColumnRef;
  outcome?: OutcomeMapping;
  attributes: Record<string, AttributeMapping>;
  ignore: string[];
  activities?: ActivityMapping[];
}

/** One converted CSV row. Lead fields the mapping does not fill are left out of the write, not nulled. */
export interface ImportRow {
  line: number;
  externalId: string;
  email: string | null;
  source: string | null;
  segment: string | null;
  /** ISO 8601, or null: new leads are created now, existing ones keep their creation time. */
  createdAt: string | null;
  /**
   * The mapped attributes that have a value, as a JSON object (what the database is sent). The others
   * have none: an existing lead loses them.
   */
  attributesJson: string;
  /** Whether attributesJson holds an escape sequence (a backslash), so that a writer need not look. */
  attributesJsonEscapes: boolean;
  outcome: LeadOutcome | null;
  outcomeAt: string | null;
  dealValue: string | null;
  activities: ImportActivity[];
}

export interface ImportActivity {
  type: ActivityType;
  occurredAt: string;
  idempotencyKey: string;
  properties: Record<string, string>;
}

/** A catalog entry as the importer needs it. */
export type CatalogEntry = Pick<AttributeSpec, 'name' | 'type' | 'label' | 'description' | 'allowedValues'>;

export const DEFAULT_TRUE_VALUES = ['yes', 'y', 'true', '1'];
export const DEFAULT_FALSE_VALUES = ['no', 'n', 'false', '0'];
/** Dates before this are taken for junk (spreadsheet zero dates, 0001-01-01). */
export const EARLIEST_DATE = new Date('2000-01-01T00:00:00Z');
/** Clocks drift: a date up to this far ahead of the import is not "in the future". */
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_DEAL_VALUE = 999_999_999_999.99;
