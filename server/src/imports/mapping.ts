import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { Problem } from '../common/errors';
import { attributeDefinitionsOf } from '../common/mapping-attributes';
import { RULES_DIR } from '../common/paths';
import { jsonTextProblems } from '../common/text-hygiene';
import { ImportError, ImportErrorCode } from './import.errors';
import {
  type CatalogEntry,
  type ColumnRef,
  DEFAULT_FALSE_VALUES,
  DEFAULT_TRUE_VALUES,
  type ImportMapping,
  type NormaliseOptions,
  type ValueRef,
} from './mapping-types';
import { NUMBER } from './mapping-values';

/*
 * The import mapping document: validating it (schema, then meaning), reading it, how its attributes
 * meet the catalog, and checking a file's header against it. Pure: no database, no files except the
 * schema read once.
 */

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

export function normaliseOf(ref: ColumnRef | ValueRef): NormaliseOptions | undefined {
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
  return attributeDefinitionsOf(mapping.attributes);
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
