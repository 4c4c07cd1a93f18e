import { Engine } from 'json-rules-engine';
import { customOperators } from './operators';
import { clonePlain, hasOwn, isPlainData, pathResolver, SIMPLE_PATH } from './plain-data';

/*
 * Conditions to JavaScript expressions, with json-rules-engine's meaning (the rules it follows are
 * listed in compiled-evaluator.ts). A construct it cannot compile throws Unsupported with its JSON path.
 */

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

export class Unsupported extends Error {}

export function unsupported(at: string, message: string): never {
  throw new Unsupported(`${at}: ${message}`);
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

/**
 * Generates the code. Every fact a rule set reads is read once per evaluation into a variable
 * (`v0 = f["industry"]`, ...), as the engine reads each fact once when it copies `{ ...facts }`;
 * facts objects built key by key are often in V8 dictionary mode, where every read is a lookup.
 * Functions (shared conditions, chunks of rules) take the variables they need as parameters.
 */
export class Compiler {
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
