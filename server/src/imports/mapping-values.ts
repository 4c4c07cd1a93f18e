import { ATTRIBUTE_LIMITS } from '../leads/attribute-catalog';
import type { AttributeValue } from '../leads/lead.entity';
import {
  DEFAULT_FALSE_VALUES,
  DEFAULT_TRUE_VALUES,
  EARLIEST_DATE,
  type ImportAttributeType,
  MAX_DEAL_VALUE,
  MAX_FUTURE_MS,
  type NormaliseOptions,
} from './mapping-types';

/* Normalising and typing one CSV value: text, numbers, yes/no, lists, dates, deal values. Pure. */

export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
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

export function compileUncachedNormaliser(
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
export function compileJsonMember(name: string, normalise: TypedNormaliser): (raw: string) => JsonMember {
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

export type JsonMember = { ok: true; json: string | null; escapes: boolean } | { ok: false; reason: string };

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
