import { Engine } from 'json-rules-engine';
import { customOperators } from './operators';
import { RuleSetEvaluator, type Facts, type FiredRule } from './rule-engine';
import { directReferences, type RuleSetDefinition } from './ruleset-definition';

/*
 * Compiled evaluator: a rule set turned once into plain synchronous JavaScript that fires exactly
 * the rules json-rules-engine 7 fires (RuleSetEvaluator stays the definition of what a rule means).
 *
 * What json-rules-engine does, and how the compiled code matches it (paths are in
 * node_modules/json-rules-engine/dist/):
 *
 * - Every rule is evaluated on every run (engine.js evaluateRules / run); rule priority only orders
 *   the evaluation. RuleSetEvaluator sorts the fired rules into document order, so priority never
 *   changes `fired`. The compiled code evaluates the rules in document order.
 * - all / any (rule.js prioritizeAndRun): no child -> true, for `any` as well as `all`
 *   (`if (conditions.length === 0) return Promise.resolve(true)`); one child -> that child;
 *   otherwise children are grouped by priority (highest first, rule.js prioritizeConditions; a
 *   condition without priority gets its fact's priority, always 1 here since the engine has no
 *   registered facts). Groups run one after the other and stop as soon as the result is known,
 *   but every condition of a group that runs is evaluated (Promise.all). Conditions are pure,
 *   so this only matters for conditions that can throw: the compiled code short-circuits freely
 *   inside a group whose members cannot throw, and evaluates every member of a group that has one
 *   that can (bitwise & / |), groups in priority order with && / ||.
 * - not: `!child` (rule.js not()).
 * - { condition: name } (rule.js realize): the shared condition evaluated in place; an unknown name
 *   throws "No condition <name> exists" when reached (allowUndefinedConditions is false).
 * - Leaf (condition.js evaluate): operator looked up in the engine's OperatorMap (decorators such
 *   as "not:equal" or "someFact:in" resolved by operator-map.js get); unknown -> rejects
 *   "Unknown operator: <op>" when reached. Result `validator(factValue) && cb(factValue, value)`
 *   (operator.js evaluate): numeric operators need `Number.parseFloat(f).toString() !== 'NaN'`
 *   and then compare with JS `<` (so "12" < 5 is a numeric compare, "12" < "5" a string compare),
 *   contains / doesNotContain need Array.isArray(f), in / notIn call `value.indexOf(f)` (which
 *   throws when the value is a number, null or boolean, and searches substrings when it is a
 *   string). Operators the compiled code does not specialise are called as json-rules-engine's own
 *   Operator objects, so their meaning is the engine's by construction.
 * - Facts (almanac.js factValue; engine.js run): the runtime facts are the own enumerable keys of
 *   `{ ...facts }`; an absent fact is `undefined` (allowUndefinedFacts), a present one its value,
 *   `null` included. A key "" makes the run reject ("factId required", fact.js constructor).
 *   `params` are ignored for constant facts. `path` is applied only when the value is a non-null
 *   object (a string fact with a path is compared as the whole string) and resolved by
 *   JSONPath-plus with wrap: false; for `$.name` / `$[n]` chains that is: follow each step while
 *   the current value is truthy and has it as an own property, else undefined.
 * - value { fact: 'other', path? } (almanac.js getValue): the other fact's value, same rules.
 * - Values are deep-cloned per run (rule-result.js clones the conditions), so an object or array
 *   value is never identical (===) to a fact value.
 *
 * Where json-rules-engine rejects, the compiled evaluate throws (synchronously).
 * Anything else compileRuleSet does not handle is reported with its JSON path, and
 * createFastEvaluator then uses json-rules-engine.
 */

/** A rule set compiled to plain JavaScript. */
export interface CompiledEvaluator {
  compiled: true;
  /** Fired rules in document order, as RuleSetEvaluator.evaluate(facts).fired. Synchronous. */
  evaluate(facts: Facts): FiredRule[];
  /** Every rule of the set in document order, as a FiredRule (shared and frozen). */
  readonly rules: readonly FiredRule[];
  /** Writes 1 (fired) or 0 into matrix[offset + i] for every rule i; see evaluateMany. */
  mark(facts: Facts, matrix: Uint8Array, offset: number): void;
  /** The generated JavaScript, for debugging. */
  readonly source: string;
}

export type CompiledRuleSet = CompiledEvaluator | { compiled: false; reason: string };

export interface FastEvaluator {
  /** True when `evaluate` runs compiled code (synchronous); false when it runs json-rules-engine. */
  readonly compiled: boolean;
  /** Why the rule set could not be compiled. */
  readonly reason?: string;
  evaluate(facts: Facts): FiredRule[] | Promise<FiredRule[]>;
}

// ---------------------------------------------------------------------------------------------

/** json-rules-engine's Operator at run time (the published types omit these members). */
interface EngineOperator {
  name: string;
  evaluate(factValue: unknown, value: unknown): boolean;
  factValueValidator(factValue: unknown): boolean;
}
interface OperatorLookup {
  get(name: string): EngineOperator | null;
}

/** The operator map of an engine built like buildEngine builds it: defaults, decorators and ours. */
function engineOperators(): OperatorLookup {
  const engine = new Engine([], { allowUndefinedFacts: true, allowUndefinedConditions: false });
  for (const operator of customOperators()) engine.addOperator(operator);
  return (engine as unknown as { operators: OperatorLookup }).operators;
}

class Unsupported extends Error {}

function unsupported(at: string, message: string): never {
  throw new Unsupported(`${at}: ${message}`);
}

const hasOwn = (object: object, key: string): boolean => Object.hasOwn(object, key);

/** The fact paths compiled: what validation allows (`$.a.b`, `$[0]`, mixed). */
const SIMPLE_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/;
const PATH_STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;

/** JSONPath-plus (wrap: false) on a simple path, as the almanac applies it. */
function pathResolver(path: string): (value: unknown) => unknown {
  const steps = [...path.matchAll(PATH_STEP)].map((m) => m[1] ?? m[2]);
  return (value) => {
    // almanac.js factValue: only objects are resolved; anything else is returned as it is.
    if (value === null || typeof value !== 'object') return value;
    let current: unknown = value;
    for (const step of steps) {
      // jsonpath-plus _trace: `val && Object.hasOwn(val, loc)`, else no match (undefined).
      if (current && Object.hasOwn(current as object, step)) current = (current as Record<string, unknown>)[step];
      else return undefined;
    }
    return current;
  };
}

/** Plain data (what JSON can hold, plus undefined and non-finite numbers): safe to clone and embed. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainData(value[i], depth + 1)) return false;
        return Object.getPrototypeOf(value) === Array.prototype;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (hasOwn(value, '__proto__')) return false; // the engine's clone would set the prototype
      return Object.values(value).every((v) => isPlainData(v, depth + 1));
    }
    default:
      return false;
  }
}

/**
 * A private deep copy of plain data that keeps null prototypes, as the engine's per-run clone
 * (rule-result.js, the `clone` package) does: `5 < Object.create(null)` throws, `5 < {}` does not.
 */
function clonePlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clonePlain);
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) copy[key] = clonePlain(item);
  return copy;
}

/** A condition priority as json-rules-engine groups by it: raw (or parseInt) value, 0 / absent -> 1. */
function priorityOf(node: Record<string, unknown>, at: string): number {
  const priority = node.priority;
  if (priority === undefined || priority === null) return 1;
  if (typeof priority !== 'number' || !Number.isSafeInteger(priority)) {
    unsupported(`${at}.priority`, `priority ${JSON.stringify(priority)} is not an integer`);
  }
  return priority || 1;
}

type Kind = 'all' | 'any' | 'not' | 'condition' | 'leaf';

/** What json-rules-engine's Condition makes of a node; anything it rejects or treats ambiguously is unsupported. */
function kindOf(node: unknown, at: string): Kind {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) unsupported(at, 'a condition must be an object');
  const keys = (['all', 'any', 'not', 'condition', 'fact'] as const).filter((key) => hasOwn(node, key));
  if (keys.length > 1) unsupported(at, `a condition has one of all, any, not, condition or fact, not ${keys.join(' and ')}`);
  const record = node as Record<string, unknown>;
  switch (keys[0]) {
    case 'all':
    case 'any':
      if (!Array.isArray(record[keys[0]])) unsupported(`${at}.${keys[0]}`, 'must be an array');
      return keys[0];
    case 'not':
      if (Array.isArray(record.not)) unsupported(`${at}.not`, 'must be one condition, not an array');
      return 'not';
    case 'condition':
      if (typeof record.condition !== 'string') unsupported(`${at}.condition`, 'must be a string');
      return 'condition';
    default:
      for (const key of ['fact', 'operator', 'value']) if (!hasOwn(node, key)) unsupported(`${at}.${key}`, 'is required');
      return 'leaf';
  }
}

interface Expr {
  code: string;
  /** Whether evaluating it can throw (json-rules-engine rejects); decides eager evaluation of its group. */
  mayThrow: boolean;
}

/** A leaf operand: `simple` ones (a variable or an inline literal) may be repeated; others go through a temp. */
interface Operand {
  code: string;
  simple: boolean;
}

const NUMERIC: Record<string, string> = { lessThan: '<', lessThanInclusive: '<=', greaterThan: '>', greaterThanInclusive: '>=' };
/** Lists up to this size are compiled to a chain of ===; longer ones to a Set. */
const CHAIN_MAX = 8;
/** Rules are split into functions of about this much source, so V8 still optimises each. */
const CHUNK_CHARS = 24_000;

/**
 * Generates the code. Every fact a rule set reads is read once per evaluation into a variable
 * (`v0 = f["industry"]`, ...), as the engine reads each fact once when it copies `{ ...facts }`;
 * facts objects built key by key are often in V8 dictionary mode, where every read is a lookup.
 * Functions (shared conditions, chunks of rules) take the variables they need as parameters.
 */
class Compiler {
  readonly constants: unknown[] = [];
  /** Shared-condition functions, in dependency order. */
  readonly functions: string[] = [];
  /** Closure-level variables (memos). */
  readonly memos: string[] = [];
  /** Fact name -> variable. */
  readonly factVariables = new Map<string, string>();
  private readonly operators = engineOperators();
  private readonly constantIndex = new Map<unknown, number>();
  private readonly sharedCompiled = new Map<string, { fn: string; params: string[]; mayThrow: boolean } | 'compiling'>();
  /** Variables the function being generated reads. */
  private used = new Set<string>();
  /** Slots of the per-evaluation memo `M`: one per shared condition referenced from more than one place. */
  memoSlots = 0;

  constructor(
    private readonly shared: Map<string, unknown>,
    /** How many `{ condition: name }` nodes name each shared condition, in the whole document. */
    private readonly referenceCounts: Map<string, number> = new Map(),
  ) {}

  constant(value: unknown): string {
    let index = this.constantIndex.get(value);
    if (index === undefined) {
      index = this.constants.push(value) - 1;
      this.constantIndex.set(value, index);
    }
    return `k${index}`;
  }

  /** A value as JavaScript: primitives inline, anything else a private deep clone. */
  literal(value: unknown): string {
    if (value === undefined) return '(void 0)';
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return `(${JSON.stringify(value)})`;
    return this.constant(clonePlain(value));
  }

  /** Compiles `body` as the body of a function, returning its code and the variables it reads. */
  withScope<T>(body: () => T): { result: T; params: string[] } {
    const outer = this.used;
    this.used = new Set();
    try {
      const result = body();
      const params = [...this.used].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
      return { result, params };
    } finally {
      this.used = outer;
    }
  }

  private factVariable(name: string): string {
    let variable = this.factVariables.get(name);
    if (!variable) {
      variable = `v${this.factVariables.size}`;
      this.factVariables.set(name, variable);
    }
    this.used.add(variable);
    return variable;
  }

  /** A fact's value (`undefined` when the facts have no such own enumerable key), through `path`. */
  private fact(name: string, path: unknown, at: string): Operand {
    const variable = this.factVariable(name);
    if (!path) return { code: variable, simple: true }; // almanac.js: `if (path)`
    if (typeof path !== 'string' || !SIMPLE_PATH.test(path)) {
      unsupported(at, `path ${JSON.stringify(path)} is not a simple JSONPath ($.name / $[n] steps)`);
    }
    return { code: `${this.constant(pathResolver(path))}(${variable})`, simple: false };
  }

  node(node: unknown, at: string): Expr {
    const kind = kindOf(node, at);
    const record = node as Record<string, unknown>;
    switch (kind) {
      case 'all':
      case 'any':
        return this.group(kind, record[kind] as unknown[], `${at}.${kind}`);
      case 'not': {
        const inner = this.node(record.not, `${at}.not`);
        return { code: `!${inner.code}`, mayThrow: inner.mayThrow };
      }
      case 'condition':
        return this.reference(record.condition as string);
      default:
        return this.leaf(record, at);
    }
  }

  private group(kind: 'all' | 'any', children: unknown[], at: string): Expr {
    if (children.length === 0) return { code: 'true', mayThrow: false }; // rule.js prioritizeAndRun
    if (children.length === 1) return this.node(children[0], `${at}[0]`); // priority irrelevant
    const compiled = children.map((child, i) => {
      const expr = this.node(child, `${at}[${i}]`);
      return { expr, priority: priorityOf(child as Record<string, unknown>, `${at}[${i}]`) };
    });
    const byPriority = new Map<number, Expr[]>();
    for (const { expr, priority } of compiled) byPriority.set(priority, [...(byPriority.get(priority) ?? []), expr]);
    const lazy = kind === 'all' ? ' && ' : ' || ';
    const eager = kind === 'all' ? ' & ' : ' | ';
    const sets = [...byPriority.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([, members]) =>
        members.some((m) => m.mayThrow) ? `!!(${members.map((m) => `(${m.code})`).join(eager)})` : members.map((m) => m.code).join(lazy),
      );
    return { code: `(${sets.join(lazy)})`, mayThrow: compiled.some((c) => c.expr.mayThrow) };
  }

  reference(name: string): Expr {
    if (!this.shared.has(name)) {
      return { code: `U(${JSON.stringify(`No condition ${name} exists`)})`, mayThrow: true };
    }
    let done = this.sharedCompiled.get(name);
    if (done === 'compiling') unsupported(`sharedConditions.${name}`, 'refers to itself');
    if (!done) {
      this.sharedCompiled.set(name, 'compiling');
      const { result: expr, params } = this.withScope(() => this.root(this.shared.get(name), `sharedConditions.${name}`));
      const fn = `s${this.functions.length}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      if ((this.referenceCounts.get(name) ?? 0) > 1) {
        // Evaluated at most once per lead, however many references reach it: shared conditions
        // that use one another several times would otherwise cost exponential time. Conditions are
        // pure, so reusing the result changes nothing; a throw leaves the slot empty.
        const slot = this.memoSlots++;
        this.functions.push(
          `function ${fn}(${params.join(', ')}) {\n  var a, r = M[${slot}];\n  if (r !== void 0) return r;\n  return M[${slot}] = ${expr.code};\n}`,
        );
      } else {
        this.functions.push(`function ${fn}(${params.join(', ')}) {\n  var a;\n  return ${expr.code};\n}`);
      }
      done = { fn, params, mayThrow: expr.mayThrow };
      this.sharedCompiled.set(name, done);
    }
    for (const param of done.params) this.used.add(param);
    return { code: `${done.fn}(${done.params.join(', ')})`, mayThrow: done.mayThrow };
  }

  /** The root of a rule's conditions or of a shared condition: all, any, not or a reference. */
  root(node: unknown, at: string): Expr {
    if (kindOf(node, at) === 'leaf') unsupported(at, 'the root must be all, any, not or condition');
    return this.node(node, at);
  }

  /**
   * `x.toLowerCase()` for a fact variable, remembered for the last string seen (one memo per fact,
   * shared by all its containsText conditions; exact, since it is a function of the string).
   */
  private lowerCase(variable: string): string {
    const memo = `lc${variable.slice(1)}_`;
    if (!this.memos.includes(memo)) this.memos.push(memo);
    return `(${variable} === ${memo}s ? ${memo}l : (${memo}l = (${memo}s = ${variable}).toLowerCase()))`;
  }

  private leaf(leaf: Record<string, unknown>, at: string): Expr {
    if (typeof leaf.fact !== 'string') unsupported(`${at}.fact`, 'must be a string');
    if (typeof leaf.operator !== 'string') unsupported(`${at}.operator`, 'must be a string');
    const name = leaf.operator;
    const A = this.fact(leaf.fact, leaf.path, `${at}.path`);
    const value = leaf.value;
    let B: Operand;
    let literal = false;
    if (value !== null && typeof value === 'object' && hasOwn(value, 'fact')) {
      const reference = value as Record<string, unknown>;
      if (typeof reference.fact !== 'string') unsupported(`${at}.value.fact`, 'must be a string');
      B = this.fact(reference.fact, reference.path, `${at}.value.path`);
    } else {
      if (!isPlainData(value)) unsupported(`${at}.value`, 'is not plain JSON data');
      B = { code: this.literal(value), simple: true };
      literal = true;
    }
    /** The value is a primitive written inline. */
    const primitive = literal && (value === null || typeof value !== 'object');

    const operator = this.operators.get(name);
    if (!operator) return { code: `U(${JSON.stringify(`Unknown operator: ${name}`)})`, mayThrow: true };
    const pure = (code: string): Expr => ({ code, mayThrow: false });
    const call = (mayThrow: boolean): Expr => ({ code: `${this.constant(operator)}.evaluate(${A.code}, ${B.code})`, mayThrow });
    // `a` names the fact value: the variable itself, or a temp assigned first (`pre`).
    const pre = A.simple ? '' : `a = ${A.code}, `;
    const a = A.simple ? A.code : 'a';

    switch (name) {
      case 'equal':
        return pure(`(${A.code} === ${B.code})`);
      case 'notEqual':
        return pure(`(${A.code} !== ${B.code})`);
      case 'lessThan':
      case 'lessThanInclusive':
      case 'greaterThan':
      case 'greaterThanInclusive': {
        // `validator(f) && f < value`. With a primitive value a number skips the validator (it only
        // rejects NaN, which compares false anyway). May throw: converting an object whose
        // toString throws (e.g. a null-prototype object), so groups evaluate these eagerly.
        const op = NUMERIC[name];
        const valid = this.constant(operator.factValueValidator);
        if (primitive)
          return {
            code: `(${pre}typeof ${a} === "number" ? ${a} ${op} ${B.code} : ${valid}(${a}) && ${a} ${op} ${B.code})`,
            mayThrow: true,
          };
        return { code: `(${pre}${valid}(${a}) && ${a} ${op} ${B.code})`, mayThrow: true };
      }
      case 'in':
      case 'notIn': {
        if (!literal || !Array.isArray(value)) return call(true); // `value.indexOf(fact)`: may throw
        // Only primitives can be === a fact value (objects in the list are per-run clones); NaN never is.
        const items = [...new Set(value.filter((v) => (v === null || typeof v !== 'object') && !Number.isNaN(v)))];
        let test: string;
        if (items.length === 0) test = 'false';
        else if (items.length <= CHAIN_MAX) test = `(${pre}${items.map((v) => `${a} === ${this.literal(v)}`).join(' || ')})`;
        else test = `${this.constant(new Set(items))}.has(${A.code})`;
        return pure(name === 'in' ? test : `!${test}`);
      }
      case 'contains':
        return pure(`(${pre}Array.isArray(${a}) && ${a}.indexOf(${B.code}) !== -1)`);
      case 'doesNotContain':
        return pure(`(${pre}Array.isArray(${a}) && ${a}.indexOf(${B.code}) === -1)`);
      // Custom operators (operators.ts customOperatorPredicates), specialised for literal values of
      // the expected type; the differential tests hold these to the predicates.
      case 'startsWith':
      case 'endsWith':
        if (literal && typeof value === 'string') return pure(`(${pre}typeof ${a} === "string" && ${a}.${name}(${B.code}))`);
        return call(false);
      case 'containsText':
        if (literal && typeof value === 'string') {
          const lower = A.simple ? this.lowerCase(a) : `${a}.toLowerCase()`;
          return pure(`(${pre}typeof ${a} === "string" && ${lower}.includes(${JSON.stringify(value.toLowerCase())}))`);
        }
        return call(false);
      case 'between':
        if (literal && Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
          return pure(`(${pre}typeof ${a} === "number" && ${a} >= ${this.literal(value[0])} && ${a} <= ${this.literal(value[1])})`);
        }
        return call(false);
      case 'isEmpty':
        if (literal) {
          const empty = `(${pre}${a} === null || ${a} === void 0 || ${a} === "" || (Array.isArray(${a}) && ${a}.length === 0))`;
          return pure(value === true ? empty : `!${empty}`);
        }
        return call(false);
      default:
        // Decorated operators ("not:equal", "someFact:in", ...): json-rules-engine's own operator.
        return call(true);
    }
  }
}

function describeValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Compiles a rule set into a synchronous evaluator with json-rules-engine's semantics for which
 * rules fire, or reports (with a JSON path) the first construct it does not support.
 */
export function compileRuleSet(definition: RuleSetDefinition): CompiledRuleSet {
  try {
    return compile(definition);
  } catch (error) {
    if (error instanceof Unsupported) return { compiled: false, reason: error.message };
    return { compiled: false, reason: `(root): cannot compile: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function compile(definition: RuleSetDefinition): CompiledEvaluator {
  const doc = definition as unknown as Record<string, unknown>;
  if (doc === null || typeof doc !== 'object') unsupported('(root)', 'a rule set must be an object');
  // buildEngine: engine.setCondition(name, condition) for each entry.
  const sharedDoc = doc.sharedConditions ?? {};
  if (typeof sharedDoc !== 'object' || Array.isArray(sharedDoc)) unsupported('sharedConditions', 'must be an object');
  const shared = new Map(Object.entries(sharedDoc as Record<string, unknown>));
  const referenceCounts = new Map<string, number>();
  const count = (condition: unknown) => {
    for (const name of directReferences(condition)) referenceCounts.set(name, (referenceCounts.get(name) ?? 0) + 1);
  };
  for (const condition of shared.values()) count(condition);
  if (Array.isArray(doc.rules)) for (const rule of doc.rules as unknown[]) count((rule as { conditions?: unknown } | null)?.conditions);
  const compiler = new Compiler(shared, referenceCounts);
  for (const name of shared.keys()) {
    if (!name) unsupported('sharedConditions', 'a shared condition needs a name'); // setCondition throws
    compiler.reference(name); // compiles (and checks) every shared condition, used or not
  }

  if (!Array.isArray(doc.rules)) unsupported('rules', 'must be an array');
  const rules = doc.rules as unknown[];
  const names = new Map<string, number>();
  const fired: FiredRule[] = [];
  const tests: Array<{ code: string; params: string[] }> = [];
  rules.forEach((rule, index) => {
    const at = `rules[${index}]`;
    if (rule === null || typeof rule !== 'object') unsupported(at, 'a rule must be an object');
    const r = rule as Record<string, unknown>;
    if (typeof r.name !== 'string' || r.name === '') unsupported(`${at}.name`, 'must be a non-empty string');
    // RuleSetEvaluator orders results by name; with duplicates the order would be the engine's completion order.
    if (names.has(r.name)) unsupported(`${at}.name`, `duplicate rule name "${r.name}" (also rules[${names.get(r.name)}])`);
    names.set(r.name, index);
    // rule.js: priority = parseInt(options.priority || 1); <= 0 throws. It never changes which rules fire.
    const priority = Number.parseInt(String((r.priority ?? 1) || 1), 10);
    if (priority <= 0) unsupported(`${at}.priority`, `must be greater than zero, got ${describeValue(r.priority)}`);
    // rule.js setEvent: a falsy event becomes { type: 'unknown' }; params are kept only when truthy.
    const event = r.event as Record<string, unknown> | undefined;
    if (event && (typeof event !== 'object' || !hasOwn(event, 'type'))) unsupported(`${at}.event.type`, 'is required');
    const params = (event?.params ? event.params : {}) as Record<string, unknown>;
    if (r.conditions === null || typeof r.conditions !== 'object') unsupported(`${at}.conditions`, 'must be an object');
    const test = compiler.withScope(() => compiler.root(r.conditions, `${at}.conditions`));
    tests.push({ code: test.result.code, params: test.params });
    fired.push(
      Object.freeze({
        rule: r.name,
        label: clonePlain(params.label),
        dimension: clonePlain(params.dimension),
        points: clonePlain(params.points),
      } as FiredRule),
    );
  });
  return build(compiler, tests, Object.freeze(fired));
}

const PRELUDE = `
  var p;
  // RuleSetEvaluator runs the engine on { ...facts }: copy anything that is not a plain object.
  if (typeof f !== "object" || f === null || ((p = GP(f)) !== OP && p !== null)) f = { ...f };
  // engine.js run: new Fact("") throws "factId required".
  if (PE.call(f, "")) throw new Error("factId required");`;

interface Chunk {
  body: string;
  params: Set<string>;
}

function chunked(tests: Array<{ code: string; params: string[] }>, statement: (test: string, index: number) => string): Chunk[] {
  const chunks: Chunk[] = [{ body: '', params: new Set() }];
  tests.forEach((test, index) => {
    const line = `${statement(test.code, index)}\n`;
    let chunk = chunks[chunks.length - 1];
    if (chunk.body.length > 0 && chunk.body.length + line.length > CHUNK_CHARS) {
      chunk = { body: '', params: new Set() };
      chunks.push(chunk);
    }
    chunk.body += line;
    for (const param of test.params) chunk.params.add(param);
  });
  return chunks;
}

function build(compiler: Compiler, tests: Array<{ code: string; params: string[] }>, rules: readonly FiredRule[]): CompiledEvaluator {
  // Read once, up front, every fact some rule (or a shared condition it uses) reads.
  const needed = new Set(tests.flatMap((test) => test.params));
  const reads = [...compiler.factVariables]
    .filter(([, variable]) => needed.has(variable))
    .map(([name, variable]) => {
      const key = JSON.stringify(name);
      // Map-like: an inherited property (toString, constructor, ...) is not a fact.
      return `${variable} = ${name in Object.prototype ? `PE.call(f, ${key}) ? f[${key}] : void 0` : `f[${key}]`}`;
    });
  const hoist = reads.length > 0 ? `\n  var ${reads.join(',\n    ')};` : '';
  const parts: string[] = ['"use strict";'];
  compiler.constants.forEach((_, i) => {
    parts.push(`const k${i} = K[${i}];`);
  });
  for (const memo of compiler.memos) parts.push(`let ${memo}s, ${memo}l;`);
  const resetMemo = compiler.memoSlots > 0 ? '\n  M.fill(void 0);' : '';
  if (compiler.memoSlots > 0) parts.push(`const M = new Array(${compiler.memoSlots}).fill(void 0);`);
  parts.push(...compiler.functions);

  const evaluateChunks = chunked(tests, (test, i) => `  if (${test}) out.push(R[${i}]);`);
  const markChunks = chunked(tests, (test, i) => `  m[o + ${i}] = ${test} ? 1 : 0;`);
  const args = (chunk: Chunk) => [...chunk.params].map((p) => `, ${p}`).join('');
  let evaluateBody: string;
  let markBody: string;
  if (evaluateChunks.length === 1) {
    evaluateBody = `  var a;\n${evaluateChunks[0].body}`;
    markBody = `  var a;\n${markChunks[0].body}`;
  } else {
    // Large rule sets: one function per chunk, so each stays small enough for V8 to optimise.
    evaluateChunks.forEach((chunk, i) => {
      parts.push(`function e${i}(out${args(chunk)}) {\n  var a;\n${chunk.body}}`);
    });
    markChunks.forEach((chunk, i) => {
      parts.push(`function m${i}(m, o${args(chunk)}) {\n  var a;\n${chunk.body}}`);
    });
    evaluateBody = evaluateChunks.map((chunk, i) => `  e${i}(out${args(chunk)});\n`).join('');
    markBody = markChunks.map((chunk, i) => `  m${i}(m, o${args(chunk)});\n`).join('');
  }
  parts.push(
    `function evaluate(f) {${PRELUDE}${resetMemo}${hoist}\n  var out = [];\n${evaluateBody}  return out;\n}`,
    `function mark(f, m, o) {${PRELUDE}${resetMemo}${hoist}\n${markBody}}`,
    'return { evaluate: evaluate, mark: mark };',
  );
  const source = parts.join('\n');
  let made: { evaluate: CompiledEvaluator['evaluate']; mark: CompiledEvaluator['mark'] };
  try {
    // Only literals from the definition appear in the source, each through JSON.stringify; every
    // other value is passed in K.
    const factory = new Function('K', 'R', 'U', 'PE', 'GP', 'OP', source) as (...args: unknown[]) => typeof made;
    made = factory(
      compiler.constants,
      rules,
      (message: string) => {
        throw new Error(message);
      },
      Object.prototype.propertyIsEnumerable,
      Object.getPrototypeOf,
      Object.prototype,
    );
  } catch (error) {
    unsupported('(root)', `code generation failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { compiled: true, evaluate: made.evaluate, mark: made.mark, rules, source };
}

/**
 * Fired rules for many leads, columnar: fired[i * rules.length + r] is 1 when rule r (document
 * order, `rules[r]`) fired for facts[i].
 */
export function evaluateMany(compiled: CompiledEvaluator, facts: readonly Facts[]): { rules: readonly FiredRule[]; fired: Uint8Array } {
  const width = compiled.rules.length;
  const fired = new Uint8Array(facts.length * width);
  const mark = compiled.mark;
  for (let i = 0; i < facts.length; i++) mark(facts[i], fired, i * width);
  return { rules: compiled.rules, fired };
}

/**
 * The compiled evaluator when the rule set compiles, json-rules-engine (RuleSetEvaluator) when it
 * does not. The fallback runs one evaluation at a time and uses a fresh engine after a rejection:
 * json-rules-engine keeps its run status on the shared Engine (engine.js run sets RUNNING, a
 * finishing run sets FINISHED, evaluateRules skips every rule unless RUNNING), so overlapping runs
 * on one engine can silently skip rules; and a rejected run keeps evaluating its remaining
 * priority groups in the background (`.catch(reject)` per group) and then sets FINISHED, which
 * can make the next run on that engine skip rules too.
 */
export function createFastEvaluator(definition: RuleSetDefinition): FastEvaluator {
  const result = compileRuleSet(definition);
  if (result.compiled) return { compiled: true, evaluate: result.evaluate };
  let evaluator = new RuleSetEvaluator(definition);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    compiled: false,
    reason: result.reason,
    evaluate(facts: Facts): Promise<FiredRule[]> {
      const snapshot = { ...facts };
      const run = queue.then(async () => {
        try {
          return (await evaluator.evaluate(snapshot)).fired;
        } catch (error) {
          evaluator = new RuleSetEvaluator(definition);
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
