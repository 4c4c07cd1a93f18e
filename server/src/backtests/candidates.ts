import type {
  ActivityType,
  Dimension,
  FactDefinition,
  FactType,
  RuleDefinition,
  RuleSetDefinition,
  TopLevelCondition,
} from '../engine/ruleset-definition';
import type { CohortSnapshot } from './cohort-snapshot';

/**
 * Candidate rules: conditions on what a cohort's leads hold (attribute values, numeric ranges,
 * recent activity) that a rule set could score. Enumerated here from the training leads; the
 * backtest then evaluates them like any rule, keeps those with support and strong evidence that
 * no rule already covers, and fits their points with the rules (fitting.ts). Pure.
 */

export interface CandidateRule {
  rule: RuleDefinition;
  /** Facts the rule reads that the rule set does not declare yet. */
  facts: FactDefinition[];
}

export interface CandidateOptions {
  minSupport: number;
  /** Most values per categorical attribute (the most frequent). */
  maxValuesPerAttribute: number;
  /** Numeric attributes are cut into at most this many ranges at their quantiles. */
  numericBins: number;
  /** Leads looked at to enumerate values (spread evenly over the training part). */
  sampleLeads: number;
  /** Most candidates in all (the most balanced first: a condition true for half the leads says the most). */
  maxTotal: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = {
  minSupport: 30,
  maxValuesPerAttribute: 40,
  numericBins: 8,
  sampleLeads: 50_000,
  maxTotal: 320,
};

const slug = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24) || 'x';
const camel = (value: string) =>
  value.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z]+/, '') || 'fact';

function rule(name: string, label: string, dimension: Dimension, conditions: TopLevelCondition): RuleDefinition {
  return { name, conditions, event: { type: 'score', params: { dimension, points: 0, label: label.slice(0, 200) } } };
}

/** Reads a condition tree's fact names (leaves only). */
function factsOf(condition: unknown, into: Set<string>): void {
  if (!condition || typeof condition !== 'object') return;
  const node = condition as Record<string, unknown>;
  if (typeof node.fact === 'string') into.add(node.fact);
  for (const key of ['all', 'any']) if (Array.isArray(node[key])) for (const child of node[key] as unknown[]) factsOf(child, into);
  if (node.not) factsOf(node.not, into);
}

/**
 * Enumerates candidate rules over `rows` (training leads): for every attribute the leads hold,
 * each frequent value (equal) and "is empty" for strings and booleans, quantile ranges for numbers;
 * for every activity type they did, "at least once in the last 30 days" and "at least 3 times ever".
 * Dimension: that of the rules already reading the fact, else fit for attributes, engagement for
 * activity. Names start with `cand-`.
 */
export function enumerateCandidates(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  rows: ArrayLike<number>,
  attributeTypes: ReadonlyMap<string, FactType>,
  options: Partial<CandidateOptions> = {},
): CandidateRule[] {
  const opts = { ...DEFAULT_CANDIDATE_OPTIONS, ...options };
  const step = Math.max(1, Math.floor(rows.length / opts.sampleLeads));
  const sampled = Math.ceil(rows.length / step);
  // Support in the sample scaled to the training part.
  const minCount = Math.max(1, Math.floor((opts.minSupport * sampled) / Math.max(rows.length, 1)));
  const factNames = new Set(definition.facts.map((fact) => fact.name));
  const dimensionOfFact = new Map<string, Dimension>();
  for (const r of definition.rules) {
    const used = new Set<string>();
    factsOf(r.conditions, used);
    for (const name of used) if (!dimensionOfFact.has(name)) dimensionOfFact.set(name, r.event.params.dimension);
  }
  const candidates: Array<CandidateRule & { balance: number }> = [];
  const ruleNames = new Set(definition.rules.map((r) => r.name));
  /** `count`: sampled leads the condition holds for. */
  const add = (
    name: string,
    label: string,
    dimension: Dimension,
    conditions: TopLevelCondition,
    facts: FactDefinition[],
    count: number,
  ) => {
    let unique = name.slice(0, 64);
    for (let k = 2; ruleNames.has(unique); k++) unique = `${name.slice(0, 60)}-${k}`;
    ruleNames.add(unique);
    candidates.push({ rule: rule(unique, label, dimension, conditions), facts, balance: Math.min(count, sampled - count) });
  };
  const newFactName = (base: string) => {
    let name = camel(base).slice(0, 60);
    for (let k = 2; factNames.has(name); k++) name = `${camel(base).slice(0, 58)}${k}`;
    factNames.add(name);
    return name;
  };

  // ---- attributes ----
  const strings = new Map<string, Map<string, number>>();
  const booleans = new Map<string, [number, number]>();
  const numbers = new Map<string, number[]>();
  const present = new Map<string, number>();
  for (let k = 0; k < rows.length; k += step) {
    const attributes = snapshot.attributes[rows[k]] ?? {};
    for (const [name, value] of Object.entries(attributes)) {
      const type = attributeTypes.get(name);
      if (value === null || value === undefined || value === '') continue;
      present.set(name, (present.get(name) ?? 0) + 1);
      if (type === 'string' && typeof value === 'string') {
        let counts = strings.get(name);
        if (!counts) {
          counts = new Map();
          strings.set(name, counts);
        }
        if (counts.size < 1000 || counts.has(value)) counts.set(value, (counts.get(value) ?? 0) + 1);
      } else if (type === 'boolean' && typeof value === 'boolean') {
        const counts = booleans.get(name) ?? [0, 0];
        counts[value ? 1 : 0] += 1;
        booleans.set(name, counts);
      } else if (type === 'number' && typeof value === 'number' && Number.isFinite(value)) {
        let values = numbers.get(name);
        if (!values) {
          values = [];
          numbers.set(name, values);
        }
        values.push(value);
      }
    }
  }
  const attributeFact = (attribute: string, type: FactType): { name: string; facts: FactDefinition[]; label: string } => {
    const existing = definition.facts.find(
      (fact) => fact.source === 'attribute' && (fact.attribute ?? fact.name) === attribute && fact.type === type,
    );
    if (existing) return { name: existing.name, facts: [], label: existing.label ?? attribute };
    const name = newFactName(attribute);
    return {
      name,
      facts: [{ name, label: attribute, type, source: 'attribute', ...(name === attribute ? {} : { attribute }) }],
      label: attribute,
    };
  };
  const sharedFact = new Map<string, { name: string; facts: FactDefinition[]; label: string }>();
  const factFor = (attribute: string, type: FactType) => {
    let found = sharedFact.get(attribute);
    if (!found) {
      found = attributeFact(attribute, type);
      sharedFact.set(attribute, found);
    }
    // Every candidate on a new fact carries its declaration (withCandidates declares it once), so any subset can be added.
    return found;
  };
  for (const [attribute, counts] of [...strings.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const fact = factFor(attribute, 'string');
    const dimension = dimensionOfFact.get(fact.name) ?? 'fit';
    const values = [...counts.entries()].filter(([, count]) => count >= minCount).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [value, count] of values.slice(0, opts.maxValuesPerAttribute)) {
      add(
        `cand-${slug(fact.name)}-${slug(value)}`,
        `${fact.label}: ${value}`,
        dimension,
        { all: [{ fact: fact.name, operator: 'equal', value }] },
        fact.facts,
        count,
      );
    }
    if (sampled - (present.get(attribute) ?? 0) >= minCount && (present.get(attribute) ?? 0) >= minCount) {
      add(
        `cand-${slug(fact.name)}-empty`,
        `${fact.label}: unknown`,
        dimension,
        { all: [{ fact: fact.name, operator: 'isEmpty', value: true }] },
        fact.facts,
        sampled - (present.get(attribute) ?? 0),
      );
    }
  }
  for (const [attribute, [no, yes]] of [...booleans.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const fact = factFor(attribute, 'boolean');
    const dimension = dimensionOfFact.get(fact.name) ?? 'fit';
    if (yes >= minCount)
      add(
        `cand-${slug(fact.name)}-yes`,
        `${fact.label}: yes`,
        dimension,
        { all: [{ fact: fact.name, operator: 'equal', value: true }] },
        fact.facts,
        yes,
      );
    if (no >= minCount)
      add(
        `cand-${slug(fact.name)}-no`,
        `${fact.label}: no`,
        dimension,
        { all: [{ fact: fact.name, operator: 'equal', value: false }] },
        fact.facts,
        no,
      );
  }
  for (const [attribute, values] of [...numbers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const fact = factFor(attribute, 'number');
    const dimension = dimensionOfFact.get(fact.name) ?? 'fit';
    for (const [from, to, count] of quantileRanges(values, opts.numericBins, minCount)) {
      const conditions: TopLevelCondition = {
        all: [
          ...(from === null ? [] : [{ fact: fact.name, operator: 'greaterThanInclusive', value: from }]),
          ...(to === null ? [] : [{ fact: fact.name, operator: 'lessThan', value: to }]),
        ],
      };
      const label =
        from === null
          ? `${fact.label} below ${to}`
          : to === null
            ? `${fact.label} ${from} or more`
            : `${fact.label} from ${from} to below ${to}`;
      add(
        `cand-${slug(fact.name)}-${from === null ? 'lt' : slug(String(from))}-${to === null ? 'up' : slug(String(to))}`,
        label,
        dimension,
        conditions,
        fact.facts,
        count,
      );
    }
  }

  // ---- activity ----
  const DAY_MS = 86_400_000;
  // By type code: every type of the catalog, built-in or defined, has its own counters.
  const typeNames = snapshot.activityTypeNames;
  const recent = new Uint32Array(typeNames.length);
  const repeated = new Uint32Array(typeNames.length);
  const perLead = new Uint32Array(typeNames.length);
  const seenRecent = new Uint8Array(typeNames.length);
  for (let k = 0; k < rows.length; k += step) {
    const i = rows[k];
    perLead.fill(0);
    seenRecent.fill(0);
    for (let a = snapshot.activityOffsets[i]; a < snapshot.activityOffsets[i + 1]; a++) {
      const type = snapshot.activityTypes[a];
      perLead[type] += 1;
      if (snapshot.activityAgeMs[a] < 30 * DAY_MS) seenRecent[type] = 1;
    }
    for (let t = 1; t < perLead.length; t++) {
      recent[t] += seenRecent[t];
      if (perLead[t] >= 3) repeated[t] += 1;
    }
  }
  const activityFact = (type: ActivityType, windowDays: number | null): { name: string; facts: FactDefinition[] } => {
    const existing = definition.facts.find(
      (fact) =>
        fact.source === 'activity' &&
        fact.aggregate === 'count' &&
        !fact.where &&
        fact.activityTypes?.length === 1 &&
        fact.activityTypes[0] === type &&
        (fact.windowDays ?? null) === windowDays,
    );
    if (existing) return { name: existing.name, facts: [] };
    const name = newFactName(`${type}_${windowDays === null ? 'ever' : `${windowDays}d`}`);
    return {
      name,
      facts: [
        {
          name,
          label: `${type.replace(/_/g, ' ')} (${windowDays === null ? 'all time' : `last ${windowDays} days`})`,
          type: 'number',
          source: 'activity',
          aggregate: 'count',
          activityTypes: [type],
          ...(windowDays === null ? {} : { windowDays }),
        },
      ],
    };
  };
  for (let t = 1; t < typeNames.length; t++) {
    const type = typeNames[t];
    if (!type) continue;
    if (recent[t] >= minCount && sampled - recent[t] >= minCount) {
      const fact = activityFact(type, 30);
      add(
        `cand-${slug(type)}-30d`,
        `${type.replace(/_/g, ' ')} in the last 30 days`,
        dimensionOfFact.get(fact.name) ?? 'engagement',
        { all: [{ fact: fact.name, operator: 'greaterThanInclusive', value: 1 }] },
        fact.facts,
        recent[t],
      );
    }
    if (repeated[t] >= minCount && sampled - repeated[t] >= minCount) {
      const fact = activityFact(type, null);
      add(
        `cand-${slug(type)}-3x`,
        `${type.replace(/_/g, ' ')} 3 times or more`,
        dimensionOfFact.get(fact.name) ?? 'engagement',
        { all: [{ fact: fact.name, operator: 'greaterThanInclusive', value: 3 }] },
        fact.facts,
        repeated[t],
      );
    }
  }
  // The most balanced first (stable: enumeration order among equals); each keeps the declaration of
  // the facts it needs, so any subset can be added.
  return candidates
    .map((candidate, order) => ({ candidate, order }))
    .sort((a, b) => b.candidate.balance - a.candidate.balance || a.order - b.order)
    .slice(0, opts.maxTotal)
    .sort((a, b) => a.order - b.order)
    .map(({ candidate: { balance: _balance, ...candidate } }) => candidate);
}

/**
 * Up to `bins` ranges [from, to) cut at the values' quantiles (null: open end), each holding at
 * least `minCount` of the values; a value held by many leads (0 seconds on the site) gets a range
 * of its own.
 */
export function quantileRanges(values: number[], bins: number, minCount: number): Array<[number | null, number | null, number]> {
  if (values.length < 2 * minCount) return [];
  const sorted = Float64Array.from(values).sort();
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = sorted[Math.floor((b * sorted.length) / bins)];
    if (q > sorted[0] && (cuts.length === 0 || q > cuts[cuts.length - 1])) cuts.push(q);
  }
  const countBelow = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // A heavy lowest value (0 seconds on the site) gets a range of its own: cut at the next value up.
  let k = 0;
  while (k < sorted.length && sorted[k] === sorted[0]) k++;
  if (k >= sorted.length / bins && k < sorted.length && cuts[0] !== sorted[k]) cuts.unshift(sorted[k]);
  const edges = [null, ...cuts, null] as Array<number | null>;
  const ranges: Array<[number | null, number | null, number]> = [];
  for (let e = 0; e + 1 < edges.length; e++) {
    const from = edges[e];
    const to = edges[e + 1];
    const count = (to === null ? sorted.length : countBelow(to)) - (from === null ? 0 : countBelow(from));
    if (count >= minCount && sorted.length - count >= minCount) ranges.push([from, to, count]);
  }
  return ranges;
}

/** Adds candidate rules (and the facts they need) to a definition. */
export function withCandidates(definition: RuleSetDefinition, candidates: readonly CandidateRule[]): RuleSetDefinition {
  const facts = [...definition.facts];
  const names = new Set(facts.map((fact) => fact.name));
  for (const candidate of candidates) {
    for (const fact of candidate.facts) {
      if (names.has(fact.name)) continue;
      names.add(fact.name);
      facts.push(fact);
    }
  }
  return { ...definition, facts, rules: [...definition.rules, ...candidates.map((candidate) => candidate.rule)] };
}

/**
 * The candidates alone as a rule set: their rules, and only the facts those rules read (the
 * definition's own or the candidates' new ones), so evaluating them computes no other fact.
 */
export function candidatesOnly(definition: RuleSetDefinition, candidates: readonly CandidateRule[]): RuleSetDefinition {
  const read = new Set<string>();
  for (const candidate of candidates) factsOf(candidate.rule.conditions, read);
  const all = withCandidates({ ...definition, rules: [], sharedConditions: {} }, candidates);
  return { ...all, facts: all.facts.filter((fact) => read.has(fact.name)) };
}
