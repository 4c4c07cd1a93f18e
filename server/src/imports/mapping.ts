import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { Problem } from '../common/errors';
import { RULES_DIR } from '../common/paths';
import { jsonTextProblems } from '../common/text-hygiene';
import { ATTRIBUTE_LIMITS, type AttributeSpec } from '../leads/attribute-catalog';
import type { AttributeValue, LeadOutcome } from '../leads/lead.entity';
import type { ActivityType } from '../engine/ruleset-definition';
import { ImportError, ImportErrorCode, type RowProblem } from './import.errors';

/*
 * The import mapping (rules/import-mapping.schema.json) and everything that turns CSV text into lead
 * data: validating the mapping, checking a header against it, and normalising and typing each value.
 * Pure: no database, no files except the schema read once.
 */

export type ImportAttributeType = 'string' | 'number' | 'boolean' | 'string[]';

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

export interface AttributeMapping {
  attribute: string;
  type: ImportAttributeType;
  normalise?: NormaliseOptions;
  define?: { label: string; description: string; values?: string[] };
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

export const MAPPING_SCHEMA = JSON.parse(readFileSync(path.join(RULES_DIR, 'import-mapping.schema.json'), 'utf8')) as object;
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(MAPPING_SCHEMA);

// ---- the mapping document ----

/** `attributes["Lead Source"].type` from ajv's `/attributes/Lead Source/type`. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '(root)';
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, key) => {
      if (/^\d+$/.test(key)) return `${path}[${key}]`;
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path ? `${path}.${key}` : key;
      return `${path}[${JSON.stringify(key)}]`;
    }, '');
}

function schemaProblems(errors: ErrorObject[]): Problem[] {
  const escapePointer = (name: unknown) => String(name).replace(/~/g, '~0').replace(/\//g, '~1');
  // A missing or unknown property is located at the property itself, not at its parent.
  const located = errors
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf')
    .map((error) => {
      if (error.keyword === 'required')
        return { pointer: `${error.instancePath}/${escapePointer(error.params.missingProperty)}`, message: 'is required' };
      if (error.keyword === 'additionalProperties')
        return { pointer: `${error.instancePath}/${escapePointer(error.params.additionalProperty)}`, message: 'is not a known property' };
      if (error.keyword === 'enum')
        return {
          pointer: error.instancePath,
          message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
      if (error.keyword === 'const')
        return { pointer: error.instancePath, message: `must be ${JSON.stringify(error.params.allowedValue)}` };
      return { pointer: error.instancePath, message: error.message ?? 'is invalid' };
    });
  // oneOf branches (a column name or an object) each complain; keep the deepest, most specific errors.
  const deepest = located.filter((e) => !located.some((o) => o.pointer.startsWith(`${e.pointer}/`)));
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const { pointer, message } of deepest) {
    const path = pointerToPath(pointer);
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ path, message });
    }
  }
  return problems;
}

export function columnOf(ref: ColumnRef | ValueRef): string | null {
  if (typeof ref === 'string') return ref;
  return 'column' in ref ? ref.column : null;
}

function normaliseOf(ref: ColumnRef | ValueRef): NormaliseOptions | undefined {
  return typeof ref === 'object' && 'column' in ref ? ref.normalise : undefined;
}

/** Columns the mapping reads, each with the JSON path that names it (for error messages). */
export function mappedColumns(mapping: ImportMapping): Array<{ column: string; path: string }> {
  const columns: Array<{ column: string; path: string }> = [];
  const add = (ref: ColumnRef | ValueRef | undefined, path: string) => {
    const column = ref === undefined ? null : columnOf(ref);
    if (column !== null) columns.push({ column, path });
  };
  add(mapping.externalId, 'externalId');
  add(mapping.email, 'email');
  add(mapping.source, 'source');
  add(mapping.segment, 'segment');
  add(mapping.createdAt, 'createdAt');
  if (mapping.outcome) {
    add(mapping.outcome.column, 'outcome.column');
    add(mapping.outcome.dateColumn, 'outcome.dateColumn');
    add(mapping.outcome.dealValueColumn, 'outcome.dealValueColumn');
  }
  for (const column of Object.keys(mapping.attributes))
    columns.push({ column, path: pointerToPath(`/attributes/${column.replace(/~/g, '~0').replace(/\//g, '~1')}`) });
  (mapping.activities ?? []).forEach((activity, index) => {
    add(activity.column, `activities[${index}].column`);
    add(activity.occurredAtColumn, `activities[${index}].occurredAtColumn`);
  });
  return columns;
}

/** Problems of meaning the schema cannot express. */
function semanticProblems(mapping: ImportMapping): Problem[] {
  const problems: Problem[] = [];
  const attributePaths = new Map<string, string>();
  for (const [column, spec] of Object.entries(mapping.attributes)) {
    const path = pointerToPath(`/attributes/${column.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const first = attributePaths.get(spec.attribute);
    if (first) problems.push({ path: `${path}.attribute`, message: `attribute "${spec.attribute}" is already filled by ${first}` });
    else attributePaths.set(spec.attribute, path);
    const normalise = { ...mapping.defaults, ...spec.normalise };
    if (spec.type !== 'boolean' && (spec.normalise?.trueValues || spec.normalise?.falseValues)) {
      problems.push({ path: `${path}.normalise`, message: 'trueValues / falseValues apply to boolean attributes only' });
    }
    if (spec.type === 'boolean') {
      const trueSet = new Set((normalise.trueValues ?? DEFAULT_TRUE_VALUES).map((v) => v.toLowerCase()));
      const both = (normalise.falseValues ?? DEFAULT_FALSE_VALUES).filter((v) => trueSet.has(v.toLowerCase()));
      if (both.length)
        problems.push({
          path: `${path}.normalise`,
          message: `${both.map((v) => JSON.stringify(v)).join(', ')} cannot mean both true and false`,
        });
    }
    if (spec.normalise?.separator !== undefined && spec.type !== 'string[]')
      problems.push({ path: `${path}.normalise.separator`, message: 'applies to string[] attributes only' });
    if (spec.define?.values && spec.type !== 'string' && spec.type !== 'string[]') {
      problems.push({ path: `${path}.define.values`, message: 'a fixed vocabulary applies to string and string[] attributes only' });
    }
    if (spec.type === 'number' || spec.type === 'boolean') {
      for (const [key, value] of Object.entries(normalise.map ?? {})) {
        if (value === null) continue;
        const ok =
          spec.type === 'number'
            ? NUMBER.test(value.trim())
            : [...(normalise.trueValues ?? DEFAULT_TRUE_VALUES), ...(normalise.falseValues ?? DEFAULT_FALSE_VALUES)].some(
                (v) => v.toLowerCase() === value.toLowerCase(),
              );
        if (!ok)
          problems.push({
            path: `${path}.normalise.map${pointerToPath(`/${key}`)}`,
            message: `maps to ${JSON.stringify(value)}, which is not a ${spec.type === 'number' ? 'number' : 'true or false value'}`,
          });
      }
    }
  }
  const ignored = new Set(mapping.ignore);
  const usedBy = new Map<string, string>();
  for (const { column, path } of mappedColumns(mapping)) {
    if (ignored.has(column))
      problems.push({
        path: `ignore[${mapping.ignore.indexOf(column)}]`,
        message: `"${column}" is used by ${path}; it cannot also be ignored`,
      });
    const first = usedBy.get(column);
    // One column may feed a lead field and an attribute (e.g. source and leadChannel), but not two attributes.
    if (first?.startsWith('attributes') && path.startsWith('attributes'))
      problems.push({ path, message: `"${column}" is already mapped by ${first}` });
    if (!first) usedBy.set(column, path);
  }
  if (mapping.outcome) {
    const seen = new Map<string, string>();
    for (const kind of ['converted', 'lost', 'open'] as const) {
      (mapping.outcome[kind] ?? []).forEach((value, index) => {
        const key = value.trim().toLowerCase();
        const other = seen.get(key);
        if (other)
          problems.push({ path: `outcome.${kind}[${index}]`, message: `${JSON.stringify(value)} is also listed in outcome.${other}` });
        else seen.set(key, kind);
      });
    }
    if (seen.size === 0) problems.push({ path: 'outcome', message: 'list at least one value in converted, lost or open' });
  }
  return problems;
}

/** Every problem with a mapping document (schema first, then meaning); empty when it is valid. */
export function validateMapping(doc: unknown): Problem[] {
  // Its values become lead data, column names and report text: none may hold NUL or a lone surrogate.
  const textProblems = jsonTextProblems(doc, '');
  if (textProblems.length) return textProblems;
  if (!validateSchema(doc)) return schemaProblems(validateSchema.errors ?? []);
  return semanticProblems(doc as ImportMapping);
}

/** Parses mapping JSON text; throws an ImportError naming every problem. */
export function parseMapping(text: string, source = 'mapping'): ImportMapping {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw ImportError.of(ImportErrorCode.InvalidMapping, `${source} is not valid JSON (${(error as Error).message})`);
  }
  const problems = validateMapping(doc);
  if (problems.length) throw ImportError.of(ImportErrorCode.InvalidMapping, `${source} is not a valid import mapping`, problems);
  return doc as ImportMapping;
}

/**
 * The catalog entries a mapping declares (`define`), by attribute name. A rule set written for files
 * imported with this mapping can be validated against them (with rules/attributes.json for the rest).
 */
export function attributeCatalogFromMapping(mapping: ImportMapping): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  for (const spec of Object.values(mapping.attributes)) {
    if (!spec.define) continue;
    catalog.set(spec.attribute, {
      name: spec.attribute,
      type: spec.type,
      label: spec.define.label,
      description: spec.define.description,
      allowedValues: spec.define.values ?? null,
    });
  }
  return catalog;
}

/**
 * How the mapping's attributes meet the catalog: those to create (from `define`), and conflicts: a
 * type that differs from the catalog's, or a missing attribute without `define`.
 */
export function planAttributes(
  mapping: ImportMapping,
  catalog: ReadonlyMap<string, CatalogEntry>,
): { toDefine: CatalogEntry[]; effective: Map<string, CatalogEntry>; problems: Problem[] } {
  const toDefine: CatalogEntry[] = [];
  const effective = new Map<string, CatalogEntry>();
  const problems: Problem[] = [];
  const declared = attributeCatalogFromMapping(mapping);
  for (const [column, spec] of Object.entries(mapping.attributes)) {
    const path = pointerToPath(`/attributes/${column.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const existing = catalog.get(spec.attribute);
    if (existing) {
      if (existing.type !== spec.type)
        problems.push({
          path: `${path}.type`,
          message: `attribute "${spec.attribute}" is a ${existing.type} in the attribute catalog, not ${spec.type}; map it as ${existing.type} or use another attribute name`,
        });
      effective.set(spec.attribute, existing);
      continue;
    }
    const definition = declared.get(spec.attribute);
    if (!definition) {
      problems.push({
        path: `${path}.define`,
        message: `attribute "${spec.attribute}" is not in the attribute catalog; give {"label", "description"} so the import can define it`,
      });
      continue;
    }
    toDefine.push(definition);
    effective.set(spec.attribute, definition);
  }
  return { toDefine, effective, problems };
}

/** Problems that stop the import: mapped columns missing from the header, columns neither mapped nor ignored, duplicate names. */
export function checkHeader(mapping: ImportMapping, header: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const present = new Set<string>();
  header.forEach((name, index) => {
    if (present.has(name) && name !== '') problems.push({ path: `header[${index}]`, message: `column "${name}" appears more than once` });
    present.add(name);
  });
  for (const { column, path } of mappedColumns(mapping)) {
    if (!present.has(column))
      problems.push({
        path,
        message: `column "${column}" is not in the file; its columns are ${header
          .filter(Boolean)
          .map((h) => JSON.stringify(h))
          .join(', ')}`,
      });
  }
  const accounted = new Set([...mappedColumns(mapping).map((c) => c.column), ...mapping.ignore]);
  const unaccounted = header.filter((name) => name.trim() !== '' && !accounted.has(name));
  if (unaccounted.length) {
    problems.push({
      path: 'ignore',
      message: `map or ignore every column; not accounted for: ${unaccounted.map((name) => JSON.stringify(name)).join(', ')}`,
    });
  }
  return problems;
}

// ---- values ----

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type Normalised<T> = { ok: true; value: T | null } | { ok: false; reason: string };

/** A normaliser compiled once per column: the per-row work is a few lookups. */
export interface CompiledNormaliser {
  text(raw: string): Normalised<string>;
}

export function compileNormaliser(options: NormaliseOptions = {}): CompiledNormaliser {
  const trim = options.trim ?? true;
  const nulls = new Set((options.nullValues ?? []).map((v) => v.trim().toLowerCase()));
  const fold =
    options.case === 'lower'
      ? (v: string) => v.toLowerCase()
      : options.case === 'upper'
        ? (v: string) => v.toUpperCase()
        : (v: string) => v;
  const exact = new Map(Object.entries(options.map ?? {}));
  const folded = new Map(Object.entries(options.map ?? {}).map(([key, value]) => [key.trim().toLowerCase(), value]));
  const hasMap = exact.size > 0;
  const unmapped = options.unmapped ?? 'keep';
  return {
    text(raw) {
      const value = trim ? raw.trim() : raw;
      if (value === '' || (nulls.size > 0 && nulls.has(value.toLowerCase()))) return { ok: true, value: null };
      if (value.includes('\0')) return { ok: false, reason: 'contains a NUL character' };
      if (hasMap) {
        const hit = exact.has(value) ? exact.get(value) : folded.get(value.toLowerCase());
        if (hit !== undefined) return { ok: true, value: hit };
        if (unmapped === 'null') return { ok: true, value: null };
        if (unmapped === 'reject') return { ok: false, reason: 'not a value the mapping knows (normalise.map)' };
      }
      return { ok: true, value: fold(value) };
    },
  };
}

export type TypedNormaliser = (raw: string) => Normalised<AttributeValue>;

/** Normalises one raw CSV value into a typed attribute value (null = no value), or says why it cannot. */
export function compileValueNormaliser(
  type: ImportAttributeType,
  options: NormaliseOptions = {},
  allowedValues: readonly string[] | null = null,
): TypedNormaliser {
  const normalise = compileUncachedNormaliser(type, options, allowedValues);
  // Lists are mutable objects: never share one between rows.
  if (type === 'string[]') return normalise;
  // Most columns repeat a few values (yes/no, categories, small numbers): remember what each raw text became.
  const cache = new Map<string, Normalised<AttributeValue>>();
  return (raw) => {
    let result = cache.get(raw);
    if (result === undefined) {
      result = normalise(raw);
      if (cache.size < NORMALISE_CACHE_SIZE) cache.set(raw, result);
    }
    return result;
  };
}

/** Distinct raw values remembered per column. */
const NORMALISE_CACHE_SIZE = 10_000;

function compileUncachedNormaliser(
  type: ImportAttributeType,
  options: NormaliseOptions,
  allowedValues: readonly string[] | null,
): TypedNormaliser {
  const base = compileNormaliser(options);
  const allowed = allowedValues ? new Set(allowedValues) : null;
  switch (type) {
    case 'number':
      return (raw) => {
        const text = base.text(raw);
        if (!text.ok || text.value === null) return text;
        const trimmed = text.value.trim();
        const value = NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
        return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'not a number' };
      };
    case 'boolean': {
      const trueSet = new Set((options.trueValues ?? DEFAULT_TRUE_VALUES).map((v) => v.toLowerCase()));
      const falseSet = new Set((options.falseValues ?? DEFAULT_FALSE_VALUES).map((v) => v.toLowerCase()));
      const expected = `not ${[...trueSet][0]}/${[...falseSet][0]}`;
      return (raw) => {
        const text = base.text(raw);
        if (!text.ok || text.value === null) return text;
        const key = text.value.trim().toLowerCase();
        if (trueSet.has(key)) return { ok: true, value: true };
        if (falseSet.has(key)) return { ok: true, value: false };
        return { ok: false, reason: expected };
      };
    }
    case 'string[]': {
      const separator = options.separator ?? ';';
      return (raw) => {
        const items: string[] = [];
        for (const part of raw.split(separator)) {
          const item = base.text(part);
          if (!item.ok) return item;
          if (item.value === null || items.includes(item.value)) continue;
          if (item.value.length > ATTRIBUTE_LIMITS.maxStringLength)
            return { ok: false, reason: `item longer than ${ATTRIBUTE_LIMITS.maxStringLength} characters` };
          if (allowed && !allowed.has(item.value)) return { ok: false, reason: 'not an allowed value' };
          items.push(item.value);
        }
        if (items.length > ATTRIBUTE_LIMITS.maxListItems) return { ok: false, reason: `more than ${ATTRIBUTE_LIMITS.maxListItems} items` };
        return { ok: true, value: items.length ? items : null };
      };
    }
    default:
      return (raw) => {
        const text = base.text(raw);
        if (!text.ok || text.value === null) return text;
        if (text.value.length > ATTRIBUTE_LIMITS.maxStringLength)
          return { ok: false, reason: `longer than ${ATTRIBUTE_LIMITS.maxStringLength} characters` };
        if (allowed && !allowed.has(text.value)) return { ok: false, reason: 'not an allowed value' };
        return text;
      };
  }
}

/**
 * One attribute's raw values as JSON object members (`"name":value`, or null: no value). Rows are
 * many and values few, so each distinct raw value is converted and serialised once; the row's JSON
 * is then these members joined, with no object built and no JSON.stringify per row.
 */
function compileJsonMember(name: string, normalise: TypedNormaliser): (raw: string) => JsonMember {
  const key = `${JSON.stringify(name)}:`;
  const cache = new Map<string, JsonMember>();
  return (raw) => {
    let member = cache.get(raw);
    if (member === undefined) {
      const result = normalise(raw);
      const json = result.ok && result.value !== null ? key + JSON.stringify(result.value) : null;
      member = result.ok ? { ok: true, json, escapes: json?.includes('\\') === true } : result;
      if (cache.size < NORMALISE_CACHE_SIZE) cache.set(raw, member);
    }
    return member;
  };
}

type JsonMember = { ok: true; json: string | null; escapes: boolean } | { ok: false; reason: string };

/** Convenience for one value (tests, previews): normalise and type it. */
export function normaliseValue(
  raw: string,
  type: ImportAttributeType,
  options: NormaliseOptions = {},
  allowedValues: readonly string[] | null = null,
): Normalised<AttributeValue> {
  return compileValueNormaliser(type, options, allowedValues)(raw);
}

/** An ISO 8601 date or date-time (a space instead of T is accepted; no zone means UTC) within sane bounds. */
export function parseDateValue(raw: string, now: Date): Normalised<string> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  const match = ISO_DATE.exec(text);
  if (!match) return { ok: false, reason: 'not an ISO 8601 date' };
  const [, year, month, day, hours = '00', minutes = '00', seconds = '00', zone] = match;
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (
    Number(month) < 1 ||
    Number(month) > 12 ||
    Number(day) < 1 ||
    Number(day) > daysInMonth ||
    Number(hours) > 23 ||
    Number(minutes) > 59 ||
    Number(seconds) > 59
  ) {
    return { ok: false, reason: 'not a valid date' };
  }
  const offset = zone === undefined || zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const fraction = /\.(\d{1,3})/.exec(text.slice(10))?.[1] ?? '0';
  const time = Date.parse(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${fraction.padEnd(3, '0')}${offset}`);
  if (Number.isNaN(time)) return { ok: false, reason: 'not a valid date' };
  if (time > now.getTime() + MAX_FUTURE_MS) return { ok: false, reason: 'in the future' };
  if (time < EARLIEST_DATE.getTime()) return { ok: false, reason: `before ${EARLIEST_DATE.toISOString().slice(0, 10)}` };
  return { ok: true, value: new Date(time).toISOString() };
}

/** A deal value: a number >= 0 with at most 2 decimals, as the decimal string stored in numeric(14, 2). */
export function parseDealValue(raw: string): Normalised<string> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  if (!NUMBER.test(text)) return { ok: false, reason: 'not a number' };
  const value = Number(text);
  if (value < 0) return { ok: false, reason: 'negative' };
  if (value > MAX_DEAL_VALUE) return { ok: false, reason: `above ${MAX_DEAL_VALUE}` };
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) return { ok: false, reason: 'more than 2 decimals' };
  return { ok: true, value: value.toFixed(2) };
}

// ---- rows ----

export interface CompiledMapping {
  header: readonly string[];
  /** Attribute names the mapping fills; on an existing lead these are replaced (one without a value is removed). */
  attributeNames: string[];
  /** Which lead fields the import writes (the others keep their values on existing leads). */
  writes: {
    email: boolean;
    source: boolean;
    segment: boolean;
    createdAt: boolean;
    outcome: boolean;
    outcomeAt: boolean;
    dealValue: boolean;
  };
  /** Converts one record; `line` is its line number in the file (for activity keys and reports). */
  convert(record: readonly string[], line: number): { row: ImportRow; problems?: undefined } | { row?: undefined; problems: RowProblem[] };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

function idempotencyKey(column: string, externalId: string, value: string): string {
  const readable = `import:${column}:${externalId}:${value}`;
  return readable.length <= 200 ? readable : `import:${createHash('sha256').update(readable).digest('base64url')}`;
}

/** Lengths of the lead's own fields (the lead service's LEAD_FIELD_LIMITS). */
export interface FieldLimits {
  externalId: number;
  email: number;
  segment: number;
  source: number;
}

export interface CompileOptions {
  /** The effective catalog (planAttributes): allowed values are checked against it. */
  catalog: ReadonlyMap<string, CatalogEntry>;
  fieldLimits: FieldLimits;
  /** Dates after this are in the future; activities without a time happen now. */
  now: Date;
}

/** Compiles the mapping for a file whose header passed checkHeader. */
export function compileMapping(
  mapping: ImportMapping,
  header: readonly string[],
  { catalog, fieldLimits, now }: CompileOptions,
): CompiledMapping {
  const index = new Map(header.map((name, i) => [name, i] as const));
  const at = (column: string) => index.get(column) as number;

  const textField = (ref: ValueRef | undefined, limit: number, lower = false) => {
    if (ref === undefined) return null;
    if (typeof ref === 'object' && 'value' in ref) return { column: null, constant: ref.value } as const;
    const column = columnOf(ref) as string;
    return {
      column,
      position: at(column),
      normaliser: compileNormaliser({ ...normaliseOf(ref), ...(lower ? { case: 'lower' as const } : {}) }),
      limit,
      constant: undefined,
    } as const;
  };
  const externalId = textField(mapping.externalId, fieldLimits.externalId) as NonNullable<ReturnType<typeof textField>> & {
    column: string;
  };
  const email = textField(mapping.email, fieldLimits.email, true);
  const source = textField(mapping.source, fieldLimits.source);
  const segment = textField(mapping.segment, fieldLimits.segment);
  const createdAt = mapping.createdAt
    ? { column: columnOf(mapping.createdAt) as string, position: at(columnOf(mapping.createdAt) as string) }
    : null;

  const attributes = Object.entries(mapping.attributes).map(([column, spec], index) => ({
    index,
    column,
    position: at(column),
    name: spec.attribute,
    member: compileJsonMember(
      spec.attribute,
      compileUncachedNormaliser(spec.type, { ...mapping.defaults, ...spec.normalise }, catalog.get(spec.attribute)?.allowedValues ?? null),
    ),
  }));
  // Members in the order jsonb keeps an object's keys (shorter first, then bytewise): PostgreSQL then
  // finds them sorted and skips sorting each row's object: a third or more of turning JSON into jsonb.
  const inKeyOrder = [...attributes].sort(
    (a, b) => Buffer.byteLength(a.name) - Buffer.byteLength(b.name) || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );

  const outcome = mapping.outcome
    ? {
        ...mapping.outcome,
        position: at(mapping.outcome.column),
        datePosition: mapping.outcome.dateColumn ? at(mapping.outcome.dateColumn) : -1,
        dealPosition: mapping.outcome.dealValueColumn ? at(mapping.outcome.dealValueColumn) : -1,
        values: new Map<string, LeadOutcome>(
          (['converted', 'lost', 'open'] as const).flatMap((kind) =>
            (mapping.outcome?.[kind] ?? []).map((value) => [value.trim().toLowerCase(), kind] as const),
          ),
        ),
      }
    : null;

  const activities = (mapping.activities ?? []).map((activity) => ({
    column: activity.column,
    position: at(activity.column),
    occurredAtPosition: activity.occurredAtColumn ? at(activity.occurredAtColumn) : -1,
    occurredAtColumn: activity.occurredAtColumn ?? null,
    types: new Map(Object.entries(activity.types).map(([value, type]) => [value.trim().toLowerCase(), type])),
    otherType: activity.otherType ?? null,
  }));

  const nowIso = now.toISOString();
  const width = header.length;
  // Columns read without a text normaliser (which refuses NUL itself): a NUL there rejects the row.
  const rawColumns = [
    createdAt,
    outcome && { column: outcome.column, position: outcome.position },
    outcome?.dateColumn ? { column: outcome.dateColumn, position: outcome.datePosition } : null,
    outcome?.dealValueColumn ? { column: outcome.dealValueColumn, position: outcome.dealPosition } : null,
    ...activities.flatMap((activity) => [
      { column: activity.column, position: activity.position },
      activity.occurredAtColumn ? { column: activity.occurredAtColumn, position: activity.occurredAtPosition } : null,
    ]),
  ].filter((entry): entry is { column: string; position: number } => entry !== null);

  function readText(field: NonNullable<ReturnType<typeof textField>>, record: readonly string[], problems: RowProblem[]): string | null {
    if (field.constant !== undefined) return field.constant;
    const raw = record[field.position] ?? '';
    const result = field.normaliser.text(raw);
    if (!result.ok) {
      problems.push({ column: field.column, reason: result.reason, value: shorten(raw) });
      return null;
    }
    if (result.value !== null && result.value.length > field.limit) {
      problems.push({ column: field.column, reason: `longer than ${field.limit} characters`, value: shorten(raw) });
      return null;
    }
    return result.value;
  }

  return {
    header,
    attributeNames: attributes.map((a) => a.name),
    writes: {
      email: email !== null,
      source: source !== null,
      segment: segment !== null,
      createdAt: createdAt !== null,
      outcome: outcome !== null,
      outcomeAt: outcome !== null && outcome.datePosition >= 0,
      dealValue: outcome !== null && outcome.dealPosition >= 0,
    },
    convert(record, line) {
      const problems: RowProblem[] = [];
      if (record.length !== width && !(record.length === width - 1 && header[width - 1] === '')) {
        return { problems: [{ column: null, reason: `has ${record.length} fields, the header has ${width}` }] };
      }
      for (const { column, position } of rawColumns) {
        const raw = record[position] ?? '';
        if (raw.includes('\0')) problems.push({ column, reason: 'contains a NUL character', value: shorten(raw) });
      }
      if (problems.length) return { problems };
      const id = readText(externalId, record, problems);
      if (id === null && problems.length === 0) problems.push({ column: externalId.column, reason: 'blank externalId' });
      const emailValue = email ? readText(email, record, problems) : null;
      if (emailValue !== null && !EMAIL.test(emailValue))
        problems.push({ column: email?.column ?? null, reason: 'not an e-mail address', value: shorten(emailValue) });
      const sourceValue = source ? readText(source, record, problems) : null;
      const segmentValue = segment ? readText(segment, record, problems) : null;

      let created: string | null = null;
      if (createdAt) {
        const result = parseDateValue(record[createdAt.position] ?? '', now);
        if (result.ok) created = result.value;
        else problems.push({ column: createdAt.column, reason: result.reason, value: shorten(record[createdAt.position] ?? '') });
      }

      const members: string[] = [];
      let escapes = false;
      let attributeProblems: Array<{ index: number; problem: RowProblem }> | null = null;
      for (const attribute of inKeyOrder) {
        const raw = record[attribute.position] ?? '';
        const member = attribute.member(raw);
        if (!member.ok) {
          attributeProblems ??= [];
          attributeProblems.push({
            index: attribute.index,
            problem: { column: attribute.column, reason: member.reason, value: shorten(raw) },
          });
        } else if (member.json !== null) {
          members.push(member.json);
          escapes ||= member.escapes;
        }
      }
      // Reported in the mapping's order.
      if (attributeProblems) problems.push(...attributeProblems.sort((a, b) => a.index - b.index).map(({ problem }) => problem));

      let outcomeValue: LeadOutcome | null = null;
      let outcomeAt: string | null = null;
      let dealValue: string | null = null;
      if (outcome) {
        const raw = record[outcome.position] ?? '';
        const kind = outcome.values.get(raw.trim().toLowerCase());
        if (kind === undefined)
          problems.push({
            column: outcome.column,
            reason: 'not a known outcome value (outcome.converted / lost / open)',
            value: shorten(raw),
          });
        else outcomeValue = kind;
        // An open lead has no outcome date, and only a conversion has a deal value: those cells are ignored.
        if (outcome.datePosition >= 0 && kind !== undefined && kind !== 'open') {
          const result = parseDateValue(record[outcome.datePosition] ?? '', now);
          if (!result.ok)
            problems.push({
              column: outcome.dateColumn ?? null,
              reason: result.reason,
              value: shorten(record[outcome.datePosition] ?? ''),
            });
          else if (result.value !== null && created !== null && result.value < created)
            problems.push({ column: outcome.dateColumn ?? null, reason: 'before the lead was created', value: result.value });
          else outcomeAt = result.value;
        }
        if (outcome.dealPosition >= 0 && kind === 'converted') {
          const result = parseDealValue(record[outcome.dealPosition] ?? '');
          if (result.ok) dealValue = result.value;
          else
            problems.push({
              column: outcome.dealValueColumn ?? null,
              reason: result.reason,
              value: shorten(record[outcome.dealPosition] ?? ''),
            });
        }
      }

      const rowActivities: ImportActivity[] = [];
      for (const activity of activities) {
        const value = (record[activity.position] ?? '').trim();
        if (value === '') continue;
        const key = value.toLowerCase();
        const type = activity.types.has(key) ? activity.types.get(key) : activity.otherType;
        if (!type) continue;
        let occurredAt = created ?? nowIso;
        if (activity.occurredAtPosition >= 0) {
          const result = parseDateValue(record[activity.occurredAtPosition] ?? '', now);
          if (!result.ok) {
            problems.push({
              column: activity.occurredAtColumn,
              reason: result.reason,
              value: shorten(record[activity.occurredAtPosition] ?? ''),
            });
            continue;
          }
          occurredAt = result.value ?? occurredAt;
        }
        if (id !== null)
          rowActivities.push({
            type,
            occurredAt,
            idempotencyKey: idempotencyKey(activity.column, id, value),
            properties: { importedFrom: activity.column, value },
          });
      }

      if (problems.length || id === null) return { problems };
      return {
        row: {
          line,
          externalId: id,
          email: emailValue,
          source: sourceValue,
          segment: segmentValue,
          createdAt: created,
          // Joined into one string: rows wait in memory for their batch's turn, and a string built
          // by `+` would keep a node per member alive until then.
          attributesJson: `{${members.join(',')}}`,
          attributesJsonEscapes: escapes,
          outcome: outcomeValue,
          outcomeAt,
          dealValue,
          activities: rowActivities,
        },
      };
    },
  };
}
