import { Compiler, Unsupported, unsupported } from './condition-compiler';
import { clonePlain, hasOwn } from './plain-data';
import type { Facts, FiredRule } from './rule-engine';
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
 * createFastEvaluator (fast-evaluator.ts) then uses json-rules-engine.
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

/** Rules are split into functions of about this much source, so V8 still optimises each. */
const CHUNK_CHARS = 24_000;

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
