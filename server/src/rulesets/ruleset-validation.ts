import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Problem } from '../common/errors';
import { RULES_DIR } from '../common/paths';
import { ALL_OPERATORS } from '../engine/operators';
import {
  CELLS,
  type Condition,
  type FactDefinition,
  type FactType,
  type RuleSetDefinition,
  directReferences,
  EXPANDED_CONDITION_LIMITS,
  expandedSizes,
} from '../engine/ruleset-definition';

/** Bounds that keep one rule set cheap to store, validate and evaluate. */
export const RULE_SET_LIMITS = {
  maxBytes: 512 * 1024,
  maxRules: 500,
  maxFacts: 200,
  maxConditionDepth: 8,
  maxConditionsTotal: 5000,
  /**
   * Conditions of one rule, and of all rules, with every shared condition they use written out in
   * place: what json-rules-engine walks for each lead. Shipped rule sets use at most 7 per rule and
   * 85 in all.
   */
  maxExpandedConditionsPerRule: EXPANDED_CONDITION_LIMITS.perRule,
  maxExpandedConditionsTotal: EXPANDED_CONDITION_LIMITS.total,
  maxListValues: 500,
  /** Nesting of the JSON document itself (a valid rule set needs about 25 levels). */
  maxJsonDepth: 64,
} as const;

export const RULE_SET_SCHEMA = JSON.parse(readFileSync(path.join(RULES_DIR, 'ruleset.schema.json'), 'utf8')) as object;

const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validateSchema = ajv.compile(RULE_SET_SCHEMA);
/** Stops at the first error: whether a document is valid, at a cost that does not grow with its mistakes. */
const firstError = new Ajv2020({ allErrors: false, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(firstError);
const isSchemaValid = firstError.compile(RULE_SET_SCHEMA);

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

/** Schema problems of an invalid document, in bounded time whatever it holds. */
function schemaProblemsOf(doc: unknown): Problem[] {
  const first = schemaProblems(isSchemaValid.errors ?? [], doc);
  const { copy, cut, values } = withSchemaBudget(doc);
  if (values > SCHEMA_LISTING.values)
    return [
      ...first,
      { path: '(root)', message: 'shows the first mistake only (the document is too large to list them all): fix it and validate again' },
    ];
  if (validateSchema(copy)) return first; // every mistake is past the budget
  const problems = schemaProblems(validateSchema.errors ?? [], copy);
  if (cut)
    problems.push({
      path: '(root)',
      message: `lists the mistakes in the first ${SCHEMA_LISTING.conditions} conditions and ${SCHEMA_LISTING.entries - 1} entries of each list only: fix these and validate again`,
    });
  return problems;
}

/** Which operators make sense for each fact type. */
export const OPERATORS_BY_TYPE: Record<FactType, readonly string[]> = {
  number: [
    'equal',
    'notEqual',
    'lessThan',
    'lessThanInclusive',
    'greaterThan',
    'greaterThanInclusive',
    'in',
    'notIn',
    'between',
    'isEmpty',
  ],
  string: ['equal', 'notEqual', 'in', 'notIn', 'startsWith', 'endsWith', 'containsText', 'isEmpty'],
  boolean: ['equal', 'notEqual', 'isEmpty'],
  'string[]': ['contains', 'doesNotContain', 'isEmpty'],
  date: ['equal', 'notEqual', 'isEmpty'],
};

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

function describeAjvError(error: ErrorObject, doc: unknown): Problem {
  const base = jsonPointerToPath(error.instancePath, doc);
  switch (error.keyword) {
    case 'required':
      return {
        path: base === '(root)' ? String(error.params.missingProperty) : `${base}.${String(error.params.missingProperty)}`,
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        path: base === '(root)' ? String(error.params.additionalProperty) : `${base}.${String(error.params.additionalProperty)}`,
        message: 'is not a known property',
      };
    case 'enum':
      return {
        path: base,
        message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: base, message: error.message ?? 'is invalid' };
  }
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function scalarMatches(value: unknown, type: FactType): boolean {
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'boolean') return typeof value === 'boolean';
  return typeof value === 'string';
}

interface Range {
  low: number;
  high: number;
  lowInclusive: boolean;
  highInclusive: boolean;
}

class SemanticValidator {
  readonly problems: Problem[] = [];
  private readonly facts = new Map<string, FactDefinition>();
  private conditionCount = 0;

  constructor(private readonly doc: RuleSetDefinition) {
    for (const fact of doc.facts) this.facts.set(fact.name, fact);
  }

  private add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  run(): Problem[] {
    // First, in linear time: what the others (and json-rules-engine) would expand without bound.
    this.checkReferenceCycles();
    this.checkExpandedSize();
    this.checkFacts();
    this.checkSharedConditions();
    this.checkRules();
    this.checkThresholds();
    return this.problems;
  }

  private checkFacts(): void {
    const seen = new Set<string>();
    this.doc.facts.forEach((fact, index) => {
      if (seen.has(fact.name)) this.add(`facts[${index}].name`, `duplicate fact name "${fact.name}"`);
      seen.add(fact.name);
      if (fact.source === 'activity') {
        const expected: FactType = fact.aggregate === 'exists' ? 'boolean' : 'number';
        if (fact.type !== expected) this.add(`facts[${index}].type`, `a "${fact.aggregate}" fact is a ${expected}, not ${fact.type}`);
        if (fact.aggregate === 'sum' && !fact.property)
          this.add(`facts[${index}].property`, 'a "sum" fact needs the activity property to sum');
      }
      if (fact.source === 'lead') {
        const expected: Record<string, FactType> = {
          emailDomain: 'string',
          isFreeEmail: 'boolean',
          daysSinceCreated: 'number',
          segment: 'string',
          source: 'string',
        };
        if (fact.type !== expected[fact.field])
          this.add(`facts[${index}].type`, `lead field "${fact.field}" is a ${expected[fact.field]}, not ${fact.type}`);
      }
    });
  }

  private checkSharedConditions(): void {
    for (const [name, condition] of Object.entries(this.doc.sharedConditions ?? {})) {
      this.checkCondition(condition, `sharedConditions.${name}`, 1);
    }
  }

  /**
   * json-rules-engine would recurse forever on a cycle of references: refuse any. Depth-first with
   * each shared condition finished once, so the work is linear however often names are reused.
   */
  private checkReferenceCycles(): void {
    const shared = this.doc.sharedConditions ?? {};
    const references = new Map(Object.entries(shared).map(([name, condition]) => [name, [...new Set(directReferences(condition))]]));
    const finished = new Set<string>();
    const trail: string[] = [];
    const onTrail = new Set<string>();
    const reported = new Set<string>();
    const visit = (name: string): void => {
      trail.push(name);
      onTrail.add(name);
      for (const next of references.get(name) ?? []) {
        if (onTrail.has(next)) {
          const cycle = [...trail.slice(trail.indexOf(next)), next];
          if (!reported.has(cycle[0])) {
            reported.add(cycle[0]);
            this.add(`sharedConditions.${cycle[0]}`, `refers to itself: ${cycle.join(' -> ')}`);
          }
        } else if (references.has(next) && !finished.has(next)) visit(next);
      }
      trail.pop();
      onTrail.delete(name);
      finished.add(name);
    };
    for (const name of references.keys()) if (!finished.has(name)) visit(name);
  }

  /**
   * json-rules-engine evaluates a reference by evaluating the shared condition in its place, every
   * time: a few lines that use one another twice can stand for millions of conditions per lead.
   */
  private checkExpandedSize(): void {
    const { maxExpandedConditionsPerRule: perRule, maxExpandedConditionsTotal: total } = RULE_SET_LIMITS;
    const sizes = expandedSizes(this.doc);
    const shown = (size: number) => (size > 1_000_000 ? 'over a million' : size.toLocaleString('en-US'));
    // Name the shared conditions where the growth crosses the limit: too large, though each one they use is not.
    for (const [name, size] of sizes.shared) {
      if (size <= perRule) continue;
      const usesLarge = directReferences(this.doc.sharedConditions?.[name]).some((next) => (sizes.shared.get(next) ?? 0) > perRule);
      if (usesLarge) continue;
      this.add(
        `sharedConditions.${name}`,
        `stands for ${shown(size)} conditions once the shared conditions it uses are written out in its place (at most ${perRule.toLocaleString('en-US')} per rule): every reference repeats the whole shared condition`,
      );
    }
    sizes.rules.forEach((size, index) => {
      if (size <= perRule) return;
      const references = directReferences(this.doc.rules[index].conditions);
      const culprit = references.find((next) => (sizes.shared.get(next) ?? 0) > perRule);
      const through = culprit ? ` (through sharedConditions.${culprit})` : '';
      const expanded = references.length > 0 ? ' once the shared conditions it uses are written out in its place' : '';
      this.add(
        `rules[${index}].conditions`,
        `has ${shown(size)} conditions${expanded}${through}; a rule has at most ${perRule.toLocaleString('en-US')}`,
      );
    });
    if (sizes.total > total && sizes.rules.every((size) => size <= perRule)) {
      this.add(
        'rules',
        `the rules have ${shown(sizes.total)} conditions in all once shared conditions are written out where they are used; a rule set has at most ${total.toLocaleString('en-US')}`,
      );
    }
  }

  private checkRules(): void {
    const names = new Map<string, number>();
    this.doc.rules.forEach((rule, index) => {
      const base = `rules[${index}]`;
      const first = names.get(rule.name);
      if (first !== undefined) this.add(`${base}.name`, `duplicate rule name "${rule.name}" (also rules[${first}])`);
      else names.set(rule.name, index);
      this.checkCondition(rule.conditions, `${base}.conditions`, 1);
      const never = this.neverTrue(rule.conditions);
      if (never) this.add(`${base}.conditions`, `this rule can never fire: ${never}`);
    });
  }

  private checkCondition(condition: Condition, path: string, depth: number): void {
    this.conditionCount += 1;
    if (this.conditionCount === RULE_SET_LIMITS.maxConditionsTotal + 1) {
      this.add(path, `too many conditions in the rule set (at most ${RULE_SET_LIMITS.maxConditionsTotal})`);
    }
    if (depth > RULE_SET_LIMITS.maxConditionDepth) {
      this.add(path, `conditions are nested too deeply (at most ${RULE_SET_LIMITS.maxConditionDepth} levels)`);
      return;
    }
    if ('all' in condition)
      condition.all.forEach((c, i) => {
        this.checkCondition(c, `${path}.all[${i}]`, depth + 1);
      });
    else if ('any' in condition)
      condition.any.forEach((c, i) => {
        this.checkCondition(c, `${path}.any[${i}]`, depth + 1);
      });
    else if ('not' in condition) this.checkCondition(condition.not, `${path}.not`, depth + 1);
    else if ('condition' in condition) {
      const shared = this.doc.sharedConditions?.[condition.condition];
      if (!shared) this.add(`${path}.condition`, `unknown shared condition "${condition.condition}"`);
    } else this.checkLeaf(condition, path);
  }

  private checkLeaf(leaf: Extract<Condition, { fact: string }>, path: string): void {
    const fact = this.facts.get(leaf.fact);
    if (!fact) {
      this.add(`${path}.fact`, `unknown fact "${leaf.fact}"; declare it in facts`);
      return;
    }
    if (leaf.params !== undefined) this.add(`${path}.params`, 'facts take no parameters');
    if (leaf.path !== undefined && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/.test(leaf.path)) {
      this.add(`${path}.path`, 'must be a simple JSONPath such as $.name or $[0]');
    }
    const allowed = OPERATORS_BY_TYPE[fact.type];
    if (!ALL_OPERATORS.includes(leaf.operator)) {
      this.add(`${path}.operator`, `unknown operator "${leaf.operator}"`);
      return;
    }
    if (!allowed.includes(leaf.operator)) {
      this.add(
        `${path}.operator`,
        `operator "${leaf.operator}" does not apply to ${fact.type} fact "${fact.name}"; use one of ${allowed.join(', ')}`,
      );
      return;
    }
    this.checkValue(leaf, fact, `${path}.value`);
  }

  private checkValue(leaf: Extract<Condition, { fact: string }>, fact: FactDefinition, path: string): void {
    const value = leaf.value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value) {
      const other = this.facts.get(String((value as { fact: unknown }).fact));
      if (!other) this.add(`${path}.fact`, `unknown fact "${String((value as { fact: unknown }).fact)}"`);
      return;
    }
    const got = `got ${typeOfValue(value)} ${JSON.stringify(value)?.slice(0, 60)}`;
    const scalarType: FactType = fact.type === 'string[]' ? 'string' : fact.type;
    switch (leaf.operator) {
      case 'in':
      case 'notIn':
        if (!Array.isArray(value) || value.length === 0)
          this.add(path, `"${leaf.operator}" needs a non-empty list of ${scalarType}s, ${got}`);
        else if (value.length > RULE_SET_LIMITS.maxListValues) this.add(path, `at most ${RULE_SET_LIMITS.maxListValues} values`);
        else {
          value.forEach((item, i) => {
            if (!scalarMatches(item, scalarType)) this.add(`${path}[${i}]`, `must be a ${scalarType}, got ${typeOfValue(item)}`);
          });
        }
        return;
      case 'between':
        if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number'))
          this.add(path, `"between" needs [low, high] numbers, ${got}`);
        else if (value[0] > value[1]) this.add(path, `low ${value[0]} is above high ${value[1]}`);
        return;
      case 'isEmpty':
        if (typeof value !== 'boolean') this.add(path, `"isEmpty" needs true or false, ${got}`);
        return;
      case 'lessThan':
      case 'lessThanInclusive':
      case 'greaterThan':
      case 'greaterThanInclusive':
        if (typeof value !== 'number') this.add(path, `"${leaf.operator}" needs a number, ${got}`);
        return;
      default:
        if (!scalarMatches(value, scalarType))
          this.add(path, `must be a ${scalarType} to compare with ${fact.type} fact "${fact.name}", ${got}`);
    }
  }

  /** Detects the plainly contradictory: an `all` whose numeric bounds on one fact leave no value, or an empty `in`. */
  private neverTrue(condition: Condition): string | null {
    if (!('all' in condition)) return null;
    const ranges = new Map<string, Range>();
    const equals = new Map<string, unknown>();
    for (const child of condition.all) {
      if (!('fact' in child) || child.path !== undefined) continue;
      const fact = this.facts.get(child.fact);
      if (!fact || (typeof child.value === 'object' && child.value !== null && !Array.isArray(child.value))) continue;
      if (child.operator === 'equal') {
        if (equals.has(child.fact) && equals.get(child.fact) !== child.value) {
          return `"${child.fact}" cannot equal both ${JSON.stringify(equals.get(child.fact))} and ${JSON.stringify(child.value)}`;
        }
        equals.set(child.fact, child.value);
      }
      if (fact.type !== 'number') continue;
      const range = ranges.get(child.fact) ?? { low: -Infinity, high: Infinity, lowInclusive: true, highInclusive: true };
      const v = child.value;
      if (child.operator === 'greaterThan' && typeof v === 'number' && v >= range.low)
        Object.assign(range, { low: v, lowInclusive: false });
      if (child.operator === 'greaterThanInclusive' && typeof v === 'number' && v > range.low)
        Object.assign(range, { low: v, lowInclusive: true });
      if (child.operator === 'lessThan' && typeof v === 'number' && v <= range.high)
        Object.assign(range, { high: v, highInclusive: false });
      if (child.operator === 'lessThanInclusive' && typeof v === 'number' && v < range.high)
        Object.assign(range, { high: v, highInclusive: true });
      if (child.operator === 'between' && Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
        if (v[0] > range.low) Object.assign(range, { low: v[0], lowInclusive: true });
        if (v[1] < range.high) Object.assign(range, { high: v[1], highInclusive: true });
      }
      ranges.set(child.fact, range);
      const empty = range.low > range.high || (range.low === range.high && !(range.lowInclusive && range.highInclusive));
      if (empty) return `no value of "${child.fact}" satisfies all its bounds`;
    }
    return null;
  }

  private checkThresholds(): void {
    const { grades, levels, bands, caps, qualification } = this.doc;
    if (!(grades.A > grades.B)) this.add('grades.B', `must be below grades.A (${grades.A})`);
    if (!(grades.B > grades.C)) this.add('grades.C', `must be below grades.B (${grades.B})`);
    if (!(levels['1'] > levels['2'])) this.add('levels.2', `must be below levels.1 (${levels['1']})`);
    if (!(levels['2'] > levels['3'])) this.add('levels.3', `must be below levels.2 (${levels['2']})`);
    for (const dimension of ['fit', 'engagement'] as const) {
      if (!(caps[dimension].min < caps[dimension].max))
        this.add(`caps.${dimension}.max`, `must be above caps.${dimension}.min (${caps[dimension].min})`);
    }
    if (caps.fit.max < grades.A) this.add('caps.fit.max', `is below grades.A (${grades.A}): grade A could never be reached`);
    if (caps.engagement.max < levels['1'])
      this.add('caps.engagement.max', `is below levels.1 (${levels['1']}): level 1 could never be reached`);
    const maxTotal = caps.fit.max + caps.engagement.max;
    bands.forEach((band, index) => {
      const last = index === bands.length - 1;
      if (last && band.min !== undefined) this.add(`bands[${index}].min`, 'the last band catches every remaining score and has no min');
      if (!last && band.min === undefined) this.add(`bands[${index}].min`, 'is required on every band but the last');
      if (index > 0 && band.min !== undefined && bands[index - 1].min !== undefined && !(band.min < (bands[index - 1].min as number))) {
        this.add(`bands[${index}].min`, `must be below bands[${index - 1}].min (${bands[index - 1].min}): bands go from highest to lowest`);
      }
      if (band.min !== undefined && band.min > maxTotal)
        this.add(
          `bands[${index}].min`,
          `is above the highest possible total ${maxTotal} (caps): band "${band.name}" could never be reached`,
        );
      const duplicate = bands.findIndex((other) => other.name === band.name);
      if (duplicate !== index) this.add(`bands[${index}].name`, `duplicate band name "${band.name}"`);
    });
    if (qualification.threshold > maxTotal)
      this.add('qualification.threshold', `is above the highest possible total ${maxTotal} (caps): no lead could qualify`);
    for (const cell of CELLS) if (!this.doc.cells[cell]) this.add(`cells.${cell}`, 'is required');
  }
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
  const problems: Problem[] = [];
  for (const problem of deepest.map((e) => describeAjvError(e, doc))) {
    const key = `${problem.path}|${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  // At a leaf condition, branches for all/any/not/condition complain about its own keys: drop those.
  return problems.filter((problem) => {
    const leafKey = /\.(fact|operator|value|path|params)$/.test(problem.path) && problem.message === 'is not a known property';
    const branchKey =
      /\.(all|any|not|condition)$/.test(problem.path) &&
      (problem.message === 'is required' || problem.message === 'is not a known property');
    return !(leafKey || branchKey) || problems.length === 1;
  });
}

/**
 * Every problem with a rule set document: first its shape (JSON Schema), then its meaning.
 * An empty list means it is valid.
 */
export interface ValidationContext {
  /** The attribute catalog: attribute facts must name a known attribute of the same type. */
  attributes?: ReadonlyMap<string, CatalogAttribute>;
}

/** What validation reads of a catalog attribute (leads/ owns the catalog; app.ts passes it in). */
export interface CatalogAttribute {
  type: string;
}

/**
 * The path of the first value nested deeper than maxJsonDepth, or null. Iterative: serialising,
 * schema-checking or diffing a document nested thousands deep would overflow the call stack.
 */
export const NESTED_TOO_DEEPLY = `is nested too deeply (conditions nest at most ${RULE_SET_LIMITS.maxConditionDepth} levels; use shared conditions to reuse a group)`;

export function tooDeeplyNested(doc: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: doc, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= RULE_SET_LIMITS.maxJsonDepth) return path || '(root)';
    if (Array.isArray(value))
      value.forEach((item, i) => {
        stack.push({ value: item, depth: depth + 1, path: `${path}[${i}]` });
      });
    else
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, depth: depth + 1, path: path ? `${path}.${key}` : key });
  }
  return null;
}

/** Problems listed at most; a longer list helps no one and makes a large response. */
const MAX_PROBLEMS = 200;

function atMost(problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      path: '(root)',
      message: `and ${(problems.length - MAX_PROBLEMS).toLocaleString('en-US')} more problems not listed: fix these and validate again`,
    },
  ];
}

export function validateRuleSetDefinition(doc: unknown, context: ValidationContext = {}): Problem[] {
  const deep = tooDeeplyNested(doc);
  if (deep) return [{ path: deep, message: NESTED_TOO_DEEPLY }];
  const size = Buffer.byteLength(JSON.stringify(doc ?? null), 'utf8');
  if (size > RULE_SET_LIMITS.maxBytes)
    return [{ path: '(root)', message: `is ${size} bytes; a rule set is at most ${RULE_SET_LIMITS.maxBytes}` }];
  if (!isSchemaValid(doc)) return atMost(schemaProblemsOf(doc));
  const problems = new SemanticValidator(doc as RuleSetDefinition).run();
  const catalog = context.attributes;
  if (catalog) {
    (doc as RuleSetDefinition).facts.forEach((fact, index) => {
      if (fact.source !== 'attribute') return;
      const name = fact.attribute ?? fact.name;
      const spec = catalog.get(name);
      if (!spec)
        problems.push({
          path: `facts[${index}].${fact.attribute ? 'attribute' : 'name'}`,
          message: `no lead attribute "${name}" in the attribute catalog`,
        });
      else if (spec.type !== fact.type)
        problems.push({ path: `facts[${index}].type`, message: `attribute "${name}" is a ${spec.type}, not ${fact.type}` });
    });
  }
  return atMost(problems);
}
