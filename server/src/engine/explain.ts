import type { RuleResult } from 'json-rules-engine';
import type { Facts, RuleEvaluation } from './rule-engine';
import type { Condition, Dimension, RuleSetDefinition } from './ruleset-definition';

/**
 * Why each rule did or did not fire, from json-rules-engine's result trees. Pure: no database, no
 * GraphQL; the output is plain JSON-serialisable data a UI can render as a tree.
 *
 * json-rules-engine records `result` on every node it evaluated (and `factResult` / `valueResult`
 * on comparisons), replaces a `{ condition: name }` reference by the referenced condition once it
 * evaluates it, and short-circuits: conditions in a lower-priority set are not evaluated once the
 * outcome of their group is known, so they have no result (null here).
 */

export type ExplainedConditionKind = 'all' | 'any' | 'not' | 'fact';

/** A node of a rule's evaluated condition tree. */
export interface ExplainedCondition {
  /** Path in the rule with shared conditions inlined, e.g. `conditions`, `conditions.all[1]`, `conditions.all[0].any[2]`. */
  path: string;
  kind: ExplainedConditionKind;
  /** true / false as evaluated; null when not evaluated (short-circuit, or no result for the rule). */
  result: boolean | null;
  /** The condition's own optional `name`. */
  name?: string;
  /** Set on the node that stands for a `{ condition: name }` reference: the shared condition it refers to. */
  reference?: string;
  /** Set on nodes defined in a shared condition: its name (the innermost one when references nest). */
  sharedCondition?: string;
  /** Where the node is defined in the document when it comes from a shared condition, e.g. `sharedConditions.decisionMaker.any[1]`. */
  sharedPath?: string;
  /** Comparisons (`kind: 'fact'`) only: the fact, operator and expected value. */
  fact?: string;
  operator?: string;
  value?: unknown;
  /** The comparison's JSONPath into an object-valued fact, if any. */
  factPath?: string;
  params?: Record<string, unknown>;
  /** Comparisons only: the fact's value as seen by the engine, else from the facts given; null when missing. */
  factValue?: unknown;
  /** `all` / `any`: the nested conditions; `not`: the one negated condition; comparisons: empty. */
  children: ExplainedCondition[];
}

/** A comparison that decided that a rule did not fire. */
export interface FailedCondition {
  path: string;
  fact: string;
  operator: string;
  /** The expected value (the comparison's `value`). */
  value: unknown;
  /** The value seen: json-rules-engine's `factResult`, else the value in the facts given; null when missing. */
  factValue: unknown;
  /** The comparison's own result: false, or true when it sits inside a `not` (see `negated`). */
  result: boolean;
  /** True when the comparison held but is negated by an enclosing `not`, which made the rule fail. */
  negated: boolean;
  note?: string;
  factPath?: string;
  sharedCondition?: string;
  sharedPath?: string;
}

export interface RuleExplanation {
  name: string;
  label: string;
  dimension: Dimension;
  points: number;
  fired: boolean;
  /** False when the evaluation holds no result tree for this rule (then every node's result is null). */
  evaluated: boolean;
  /** Empty when the rule fired (or was not evaluated). */
  failedConditions: FailedCondition[];
  conditions: ExplainedCondition;
}

const NEGATED_NOTE = 'This condition held, but it is inside "not", so it made the rule fail';

type Node = Record<string, unknown>;

function asNode(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function own(node: Node, key: string): boolean {
  return Object.hasOwn(node, key);
}

function joinKey(base: string, key: string): string {
  return /^[A-Za-z0-9_$]+$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

interface WalkContext {
  definition: RuleSetDefinition;
  facts: Facts;
  /** Shared conditions being expanded, to stop on a (invalid) cycle. */
  expanding: string[];
  sharedCondition?: string;
  sharedPath?: string;
}

function booleanOf(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A group's result when the tree lacks it (e.g. a serialised tree): from its children where decidable. */
function deriveResult(kind: ExplainedConditionKind, children: ExplainedCondition[]): boolean | null {
  const results = children.map((child) => child.result);
  if (kind === 'not') return results[0] === null || results[0] === undefined ? null : !results[0];
  if (kind === 'all') {
    if (results.includes(false)) return false;
    return results.every((result) => result === true) ? true : null;
  }
  if (kind === 'any') {
    if (results.includes(true)) return true;
    return results.every((result) => result === false) ? false : null;
  }
  return null;
}

function withShared(node: ExplainedCondition, context: WalkContext, relative: string | null): ExplainedCondition {
  if (context.sharedCondition !== undefined && context.sharedPath !== undefined && relative !== null) {
    node.sharedCondition = context.sharedCondition;
    node.sharedPath = relative;
  }
  return node;
}

/**
 * Walks the definition's condition and json-rules-engine's result tree side by side (same shape
 * once references are inlined; json-rules-engine never reorders children in the tree).
 * `sharedRelative` is the node's path inside its shared condition, when it is in one.
 */
function walk(definition: unknown, result: unknown, path: string, context: WalkContext, sharedRelative: string | null): ExplainedCondition {
  const def = asNode(definition) ?? {};
  const res = asNode(result);

  if (own(def, 'condition') && typeof def.condition === 'string') {
    const name = def.condition;
    const shared = context.definition.sharedConditions?.[name];
    // Evaluated references are replaced in place by the referenced condition; unevaluated ones keep `condition`.
    const inlined = res && !own(res, 'condition') ? res : undefined;
    if (!shared || context.expanding.includes(name)) {
      const node: ExplainedCondition = { path, kind: 'all', result: booleanOf(res?.result), reference: name, children: [] };
      return withShared(node, context, sharedRelative);
    }
    const innerContext: WalkContext = {
      ...context,
      expanding: [...context.expanding, name],
      sharedCondition: name,
      sharedPath: joinKey('sharedConditions', name),
    };
    const node = walk(shared, inlined, path, innerContext, innerContext.sharedPath as string);
    node.reference = name;
    if (typeof def.name === 'string') node.name = def.name;
    return node;
  }

  for (const kind of ['all', 'any'] as const) {
    if (!own(def, kind)) continue;
    const items = Array.isArray(def[kind]) ? (def[kind] as unknown[]) : [];
    const resultItems = res && Array.isArray(res[kind]) ? (res[kind] as unknown[]) : [];
    const children = items.map((item, index) =>
      walk(
        item,
        resultItems[index],
        `${path}.${kind}[${index}]`,
        context,
        sharedRelative === null ? null : `${sharedRelative}.${kind}[${index}]`,
      ),
    );
    const own_ = res && own(res, kind) ? booleanOf(res.result) : null;
    const node: ExplainedCondition = { path, kind, result: own_ ?? deriveResult(kind, children), children };
    if (typeof def.name === 'string') node.name = def.name;
    return withShared(node, context, sharedRelative);
  }

  if (own(def, 'not')) {
    const child = walk(
      def.not,
      res && own(res, 'not') ? res.not : undefined,
      `${path}.not`,
      context,
      sharedRelative === null ? null : `${sharedRelative}.not`,
    );
    const own_ = res && own(res, 'not') ? booleanOf(res.result) : null;
    const node: ExplainedCondition = { path, kind: 'not', result: own_ ?? deriveResult('not', [child]), children: [child] };
    if (typeof def.name === 'string') node.name = def.name;
    return withShared(node, context, sharedRelative);
  }

  // A comparison. Ignore a result node that does not match (e.g. a tree from another definition).
  const fact = String(def.fact);
  const matching = res && res.fact === def.fact && res.operator === def.operator ? res : undefined;
  const seen =
    matching && own(matching, 'factResult') && matching.factResult !== undefined
      ? matching.factResult
      : Object.hasOwn(context.facts, fact)
        ? context.facts[fact]
        : undefined;
  const node: ExplainedCondition = {
    path,
    kind: 'fact',
    result: booleanOf(matching?.result),
    fact,
    operator: String(def.operator),
    value: def.value,
    factValue: seen ?? null,
    children: [],
  };
  if (typeof def.path === 'string') node.factPath = def.path;
  const params = asNode(def.params);
  if (params) node.params = params;
  if (typeof def.name === 'string') node.name = def.name;
  return withShared(node, context, sharedRelative);
}

/** The comparisons that made `node` come out as `target`: every child with that result, recursively. */
function decisive(node: ExplainedCondition, target: boolean): ExplainedCondition[] {
  if (node.kind === 'fact') return node.result === target ? [node] : [];
  if (node.kind === 'not') return node.children.length > 0 ? decisive(node.children[0], !target) : [];
  return node.children.filter((child) => child.result === target).flatMap((child) => decisive(child, target));
}

function toFailedCondition(node: ExplainedCondition): FailedCondition {
  const negated = node.result === true;
  const failed: FailedCondition = {
    path: node.path,
    fact: node.fact as string,
    operator: node.operator as string,
    value: node.value,
    factValue: node.factValue ?? null,
    result: node.result === true,
    negated,
  };
  if (negated) failed.note = NEGATED_NOTE;
  if (node.factPath !== undefined) failed.factPath = node.factPath;
  if (node.sharedCondition !== undefined) failed.sharedCondition = node.sharedCondition;
  if (node.sharedPath !== undefined) failed.sharedPath = node.sharedPath;
  return failed;
}

/**
 * Explains an evaluation of `definition` on `facts`: every rule in document order, whether it
 * fired, its evaluated condition tree, and for a rule that did not fire the comparisons that
 * decided it (the failing ones; for `any`, all of its failing branches; under `not`, the one that
 * held).
 */
export function explainEvaluation(definition: RuleSetDefinition, evaluation: RuleEvaluation, facts: Facts): RuleExplanation[] {
  const results = new Map<string, RuleResult>();
  for (const result of [...evaluation.failureResults, ...evaluation.successResults]) results.set(result.name, result);
  const firedNames = new Set(evaluation.fired.map((fired) => fired.rule));

  return definition.rules.map((rule): RuleExplanation => {
    const ruleResult = results.get(rule.name);
    const context: WalkContext = { definition, facts, expanding: [] };
    const conditions = walk(rule.conditions as Condition, ruleResult?.conditions, 'conditions', context, null);
    const overall = booleanOf(ruleResult?.result);
    if (conditions.result === null && overall !== null) conditions.result = overall;
    const fired = ruleResult ? overall === true : firedNames.has(rule.name);
    const failedConditions = !fired && conditions.result === false ? decisive(conditions, false).map(toFailedCondition) : [];
    const { dimension, points, label } = rule.event.params;
    return { name: rule.name, label, dimension, points, fired, evaluated: ruleResult !== undefined, failedConditions, conditions };
  });
}
