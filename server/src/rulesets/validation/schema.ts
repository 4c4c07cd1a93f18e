import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Problem } from '../../common/errors';
import { RULES_DIR } from '../../common/paths';
import { schemaSentence } from './schema-messages';

export const RULE_SET_SCHEMA = JSON.parse(readFileSync(path.join(RULES_DIR, 'ruleset.schema.json'), 'utf8')) as object;

const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validateSchema = ajv.compile(RULE_SET_SCHEMA);
/** Stops at the first error: whether a document is valid, at a cost that does not grow with its mistakes. */
const firstError = new Ajv2020({ allErrors: false, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(firstError);
/** Whether a document matches the schema; its `errors` hold the first mistake (schemaProblemsOf reads them). */
export const isSchemaValid = firstError.compile(RULE_SET_SCHEMA);

/**
 * Listing every schema mistake (ajv allErrors) costs per mistake, and a broken condition makes about
 * 17 (one per branch of the condition union): a document of thousands of broken conditions or list
 * items took seconds. So the list is made from a copy cut to a budget, and only when that copy is
 * small enough; otherwise the first mistake is shown.
 */
const SCHEMA_LISTING = {
  /** Conditions (in document order) whose mistakes are listed; later ones become a valid stand-in. */
  conditions: 500,
  /** Lists and objects are cut just past this length (every maxItems / maxProperties is below). */
  entries: 501,
  /** JSON values in the cut copy above which only the first mistake is shown. */
  values: 10_000,
} as const;
/** A schema-valid stand-in for the conditions past the budget. */
const STAND_IN = Object.freeze({ condition: 'notChecked' });

/**
 * The copy whose mistakes are listed: conditions past the budget replaced by a valid stand-in,
 * lists and objects cut just past any maximum length (which still reports it). Paths of what is
 * kept are unchanged. Recursive: the depth is already bounded (tooDeeplyNested).
 */
function withSchemaBudget(doc: unknown): { copy: unknown; cut: boolean; values: number } {
  let conditions = 0;
  let values = 0;
  let cut = false;
  const copyOf = (value: unknown, isCondition: boolean): unknown => {
    if (isCondition && conditions++ >= SCHEMA_LISTING.conditions) {
      cut = true;
      return STAND_IN;
    }
    values += 1;
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      if (value.length > SCHEMA_LISTING.entries) cut = true;
      return value.slice(0, SCHEMA_LISTING.entries).map((item) => copyOf(item, false));
    }
    const entries = Object.entries(value);
    if (entries.length > SCHEMA_LISTING.entries) cut = true;
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries.slice(0, SCHEMA_LISTING.entries)) {
      if (isCondition && (key === 'all' || key === 'any') && Array.isArray(item)) {
        if (item.length > SCHEMA_LISTING.entries) cut = true;
        out[key] = item.slice(0, SCHEMA_LISTING.entries).map((child) => copyOf(child, true));
      } else out[key] = copyOf(item, isCondition && key === 'not');
    }
    return out;
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { copy: doc, cut, values: 1 };
  const source = doc as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'rules' && Array.isArray(value)) {
      if (value.length > SCHEMA_LISTING.entries) cut = true;
      copy.rules = value.slice(0, SCHEMA_LISTING.entries).map((rule: unknown) => {
        if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return copyOf(rule, false);
        const { conditions: ruleConditions, ...rest } = rule as Record<string, unknown>;
        const copied = copyOf(rest, false) as Record<string, unknown>;
        return 'conditions' in rule ? { ...copied, conditions: copyOf(ruleConditions, true) } : copied;
      });
    } else if (key === 'sharedConditions' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > SCHEMA_LISTING.entries) cut = true;
      copy.sharedConditions = Object.fromEntries(
        entries.slice(0, SCHEMA_LISTING.entries).map(([name, condition]) => [name, copyOf(condition, true)]),
      );
    } else copy[key] = copyOf(value, false);
  }
  return { copy, cut, values };
}

/** Schema problems of a document isSchemaValid has just refused, in bounded time whatever it holds. */
export function schemaProblemsOf(doc: unknown): Problem[] {
  const first = schemaProblems(isSchemaValid.errors ?? [], doc);
  const { copy, cut, values } = withSchemaBudget(doc);
  if (values > SCHEMA_LISTING.values)
    return [
      ...first,
      {
        path: '(root)',
        message: 'Only the first mistake is shown (the rule set is too large to list them all): fix it and validate again',
      },
    ];
  if (validateSchema(copy)) return first; // every mistake is past the budget
  const problems = schemaProblems(validateSchema.errors ?? [], copy);
  if (cut)
    problems.push({
      path: '(root)',
      message: `Only the mistakes in the first ${SCHEMA_LISTING.conditions} conditions and ${SCHEMA_LISTING.entries - 1} entries of each list are shown: fix these and validate again`,
    });
  return problems;
}

/**
 * `rules[3].conditions.all[1].value` from ajv's `/rules/3/conditions/all/1/value`. With the document,
 * numeric keys of objects (levels."1") stay keys; only array indexes become `[n]`.
 */
export function jsonPointerToPath(pointer: string, doc?: unknown): string {
  if (!pointer) return '(root)';
  let node: unknown = doc;
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const isIndex = doc === undefined ? /^\d+$/.test(segment) : Array.isArray(node);
    path = isIndex ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

/** Where an ajv error is, as a path: a missing or unknown property's own path rather than its object's. */
function pathOf(error: ErrorObject, doc: unknown): string {
  const base = jsonPointerToPath(error.instancePath, doc);
  const property =
    error.keyword === 'required'
      ? error.params.missingProperty
      : error.keyword === 'additionalProperties'
        ? error.params.additionalProperty
        : undefined;
  if (property === undefined) return base;
  return base === '(root)' ? String(property) : `${base}.${String(property)}`;
}

/**
 * Conditions are a union (all / any / not / reference / leaf), so ajv reports a failure of every
 * branch. Keep what a person needs: the deepest errors (the real mistake), never the complaints of
 * branches that do not apply at a shallower path.
 */
function schemaProblems(errors: ErrorObject[], doc: unknown): Problem[] {
  const relevant = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'not');
  // Indexed rather than compared pairwise: a document with thousands of broken conditions gets
  // tens of thousands of errors (one per branch of the condition union).
  const ancestors = new Set<string>();
  const atPath = new Map<string, number>();
  for (const e of relevant) {
    atPath.set(e.instancePath, (atPath.get(e.instancePath) ?? 0) + 1);
    for (let cut = e.instancePath.lastIndexOf('/'); cut >= 0; cut = e.instancePath.lastIndexOf('/', cut - 1)) {
      const ancestor = e.instancePath.slice(0, cut);
      if (ancestors.has(ancestor)) break; // and so are its own ancestors
      ancestors.add(ancestor);
      if (cut === 0) break;
    }
  }
  const deepest = relevant
    .filter((e) => !ancestors.has(e.instancePath))
    // A leaf value may also be a {"fact": ...} reference; its "must be object" only adds noise.
    .filter((e) => !(e.keyword === 'type' && e.params.type === 'object' && (atPath.get(e.instancePath) ?? 0) > 1));
  const seen = new Set<string>();
  const found: Array<{ problem: Problem; keyword: string }> = [];
  for (const error of deepest) {
    const path = pathOf(error, doc);
    const problem = { path, message: schemaSentence(error, path, doc) };
    const key = `${problem.path}|${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      found.push({ problem, keyword: error.keyword });
    }
  }
  // At a leaf condition, branches for all/any/not/condition complain about its own keys: drop those.
  return found
    .filter(({ problem, keyword }) => {
      const leafKey = /\.(fact|operator|value|path|params)$/.test(problem.path) && keyword === 'additionalProperties';
      const branchKey = /\.(all|any|not|condition)$/.test(problem.path) && (keyword === 'required' || keyword === 'additionalProperties');
      return !(leafKey || branchKey) || found.length === 1;
    })
    .map(({ problem }) => problem);
}
