/**
 * The rule set document: configuration that marketing ops edit and json-rules-engine evaluates.
 * `rules/ruleset.schema.json` is the JSON Schema of this shape; keep the two in step
 * (test/rules-files.test.ts validates every file in rules/ against the schema and these semantics).
 */

export const DIMENSIONS = ['fit', 'engagement'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const FACT_TYPES = ['string', 'number', 'boolean', 'string[]', 'date'] as const;
export type FactType = (typeof FACT_TYPES)[number];

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];
export const LEVELS = [1, 2, 3, 4] as const;
export type Level = (typeof LEVELS)[number];
export const CELLS = GRADES.flatMap((g) => LEVELS.map((l) => `${g}${l}`));

/**
 * The built-in activity types, installed in the activity catalog on first start (in this order:
 * their position + 1 is their stable code). Marketing defines more at run time, so the engine
 * never treats this list as closed: functions that need the known types take them as input.
 */
export const ACTIVITY_TYPES = [
  'page_view',
  'pricing_page_view',
  'email_open',
  'email_click',
  'email_bounce',
  'content_download',
  'webinar_registration',
  'webinar_attendance',
  'event_attendance',
  'demo_request',
  'trial_signup',
  'form_submission',
  'chat',
  'call',
  'sms',
  'social_interaction',
  'unsubscribe',
  'other',
] as const;
export type BuiltInActivityType = (typeof ACTIVITY_TYPES)[number];
/** An activity type name of the catalog: a built-in one or one marketing defined. */
export type ActivityType = string;

/** Activity type names: snake_case, 2 to 63 characters (rules/ruleset.schema.json has the same pattern). */
export const ACTIVITY_TYPE_NAME = /^[a-z][a-z0-9_]{1,62}$/;

export const isBuiltInActivityType = (type: string): type is BuiltInActivityType => (ACTIVITY_TYPES as readonly string[]).includes(type);

/**
 * The activity types a definition's facts name that are not in `known` (the catalog, passed in),
 * each with its path (`facts[3].activityTypes[0]`), in document order.
 */
export function unknownActivityTypes(
  definition: Pick<RuleSetDefinition, 'facts'>,
  known: ReadonlySet<string>,
): Array<{ path: string; type: string }> {
  const found: Array<{ path: string; type: string }> = [];
  definition.facts.forEach((fact, index) => {
    if (fact.source !== 'activity' || !Array.isArray(fact.activityTypes)) return;
    fact.activityTypes.forEach((type, at) => {
      if (!known.has(type)) found.push({ path: `facts[${index}].activityTypes[${at}]`, type });
    });
  });
  return found;
}

/** A fact read from the lead's explicit attributes (see rules/attributes.json). */
export interface AttributeFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'attribute';
  /** Attribute name on the lead; defaults to the fact's name. */
  attribute?: string;
}

export const LEAD_FIELDS = ['emailDomain', 'isFreeEmail', 'daysSinceCreated', 'segment', 'source'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** A fact derived from the lead record itself rather than its attributes. */
export interface LeadFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'lead';
  field: LeadField;
}

export const AGGREGATES = ['count', 'exists', 'daysSinceLast', 'sum'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** A behavioural fact: an aggregate over the lead's activities in a time window before "as of". */
export interface ActivityFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'activity';
  aggregate: Aggregate;
  /** Activity types counted; all types when omitted. */
  activityTypes?: ActivityType[];
  /** Only activities in the last N days before the scoring time; all time when omitted. */
  windowDays?: number;
  /** Only activities whose properties contain this object (JSON containment). */
  where?: Record<string, string | number | boolean>;
  /** For `sum`: the numeric activity property summed. */
  property?: string;
}

/** The fields of the account's score (its default account model) a lead rule set can read. */
export const ACCOUNT_SCORE_FIELDS = ['fit', 'engagement', 'total', 'fitGrade', 'engagementLevel', 'cell', 'band', 'qualified'] as const;
export type AccountScoreField = (typeof ACCOUNT_SCORE_FIELDS)[number];

/** Lead rule sets only: a field of the score of the lead's account (null without an account or score). */
export interface AccountFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'account';
  field: AccountScoreField;
}

/** Lead rule sets only: an attribute of the lead's account (account-scope catalog). */
export interface AccountAttributeFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'accountAttribute';
  /** Attribute name on the account; defaults to the fact's name. */
  attribute?: string;
}

/**
 * Account rule sets only: an aggregate over the account's contacts. "Engaged" contacts are those
 * whose default-model engagement is at least `minEngagement` (default 1).
 * - count: contacts; engagedCount: engaged contacts;
 * - maxRank: among engaged contacts, the best position of contact attribute `attribute` in `ranks`
 *   (best first), as `ranks.length - index` (0 when none);
 * - sumEngagement: the contacts' engagement, each between 0 and `cap`, summed;
 * - rolesPresent: how many distinct values of `roles` contact attribute `attribute` takes;
 * - daysSinceActive: whole days since any contact's last activity (null when none).
 */
export const CONTACT_AGGREGATES = ['count', 'engagedCount', 'maxRank', 'sumEngagement', 'rolesPresent', 'daysSinceActive'] as const;
export type ContactAggregate = (typeof CONTACT_AGGREGATES)[number];

export interface ContactsFact {
  name: string;
  label?: string;
  type: FactType;
  source: 'contacts';
  aggregate: ContactAggregate;
  minEngagement?: number;
  /** maxRank, rolesPresent: the contact attribute read. */
  attribute?: string;
  /** maxRank: attribute values, best first. */
  ranks?: string[];
  /** rolesPresent: the attribute values that count as buying roles. */
  roles?: string[];
  /** sumEngagement: the most engagement one contact brings. */
  cap?: number;
}

export type FactDefinition = AttributeFact | LeadFact | ActivityFact | AccountFact | AccountAttributeFact | ContactsFact;

/** Who a rule set scores: leads (the default, `subject` absent) or accounts. */
export const SUBJECTS = ['lead', 'account'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** The subject of a definition: `lead` when absent. */
export const subjectOf = (definition: Pick<RuleSetDefinition, 'subject'>): Subject => definition.subject ?? 'lead';

/** Whether a (lead) definition reads facts about the lead's account, so its reads must bring the account's columns. */
export const usesAccountFacts = (definition: Pick<RuleSetDefinition, 'facts'>): boolean =>
  definition.facts.some((fact) => fact.source === 'account' || fact.source === 'accountAttribute');

export interface ConditionLeaf {
  fact: string;
  operator: string;
  value: unknown;
  path?: string;
  params?: Record<string, unknown>;
  priority?: number;
  name?: string;
}
export interface ConditionAll {
  all: Condition[];
  priority?: number;
  name?: string;
}
export interface ConditionAny {
  any: Condition[];
  priority?: number;
  name?: string;
}
export interface ConditionNot {
  not: Condition;
  priority?: number;
  name?: string;
}
export interface ConditionReference {
  condition: string;
  priority?: number;
  name?: string;
}
export type Condition = ConditionLeaf | ConditionAll | ConditionAny | ConditionNot | ConditionReference;
export type TopLevelCondition = ConditionAll | ConditionAny | ConditionNot | ConditionReference;

export interface ScoreEventParams {
  dimension: Dimension;
  points: number;
  /** What sales reads as the reason for these points. */
  label: string;
}

/** A json-rules-engine rule whose event awards points. */
export interface RuleDefinition {
  name: string;
  priority?: number;
  conditions: TopLevelCondition;
  event: { type: 'score'; params: ScoreEventParams };
}

export interface DimensionCap {
  min: number;
  max: number;
}

export type DecayDefinition =
  | { model: 'none' }
  | { model: 'halfLife'; halfLifeDays: number; graceDays: number }
  | { model: 'linear'; pointsPerDay: number; graceDays: number };

export interface CellAction {
  action: string;
  label: string;
}

export interface BandDefinition {
  name: string;
  /** Lowest total (inclusive) in this band; the last band has no minimum and catches the rest. */
  min?: number;
}

export interface RuleSetDefinition {
  $schema?: string;
  formatVersion: 1;
  /** Who the rule set scores; absent means `lead`. Account rule sets read `contacts` facts. */
  subject?: Subject;
  key: string;
  name: string;
  description?: string;
  facts: FactDefinition[];
  /** Named conditions rules may reference with `{ "condition": "name" }`. */
  sharedConditions?: Record<string, TopLevelCondition>;
  rules: RuleDefinition[];
  caps: Record<Dimension, DimensionCap>;
  decay: DecayDefinition;
  /** Minimum fit points for grades A, B and C (descending); below C is D. */
  grades: { A: number; B: number; C: number };
  /** Minimum engagement points for levels 1, 2 and 3 (descending); below 3 is 4. */
  levels: { '1': number; '2': number; '3': number };
  /** The agreed next action for each of the 16 cells A1..D4. */
  cells: Record<string, CellAction>;
  /** Bands by total points, highest first; the last one has no `min`. */
  bands: BandDefinition[];
  qualification: { threshold: number; label: string };
}

const CONDITION_CHILDREN = ['all', 'any', 'not'] as const;

/**
 * Walks one written condition tree (references are not followed), calling `visit` on every node.
 * Iterative, so a tree nested deeper than the stack (in a document not yet validated) cannot
 * overflow it.
 */
export function forEachConditionNode(condition: unknown, visit: (node: Record<string, unknown>) => void): void {
  const stack: unknown[] = [condition];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    const record = node as Record<string, unknown>;
    visit(record);
    for (const key of CONDITION_CHILDREN) {
      const child = record[key];
      if (Array.isArray(child)) for (let i = child.length - 1; i >= 0; i--) stack.push(child[i]);
      else if (child !== undefined && Object.hasOwn(record, key)) stack.push(child);
    }
  }
}

/** The `{ condition: name }` references written in a condition tree, once per occurrence, in document order. */
export function directReferences(condition: unknown): string[] {
  const names: string[] = [];
  forEachConditionNode(condition, (node) => {
    if (typeof node.condition === 'string') names.push(node.condition);
  });
  return names;
}

/** How many condition nodes a tree has as written, references counted as one node. */
export function writtenSize(condition: unknown): number {
  let size = 0;
  forEachConditionNode(condition, () => {
    size += 1;
  });
  return size;
}

/**
 * Conditions of one rule, and of all rules, with every shared condition they use written out in
 * place: what json-rules-engine walks for each lead. Validation refuses more; engines refuse to be
 * built over more (a version stored before the bound existed).
 */
export const EXPANDED_CONDITION_LIMITS = { perRule: 2000, total: 10_000 } as const;

/** True when evaluating the definition would walk more conditions than EXPANDED_CONDITION_LIMITS allow. */
export function exceedsExpansionLimits(definition: Pick<RuleSetDefinition, 'sharedConditions' | 'rules'>): boolean {
  const { rules } = expandedSizes(definition);
  let total = 0;
  for (const size of rules) {
    if (size > EXPANDED_CONDITION_LIMITS.perRule) return true;
    total += size;
  }
  return total > EXPANDED_CONDITION_LIMITS.total;
}

export interface ExpandedSizes {
  /**
   * For each shared condition: its nodes with every reference replaced by the shared condition it
   * names, recursively, as json-rules-engine walks it (a reference node counts too). Unknown names
   * count as one node; a reference back into a cycle counts as one node (cycles are refused apart).
   */
  shared: Map<string, number>;
  /** The same for each rule's conditions, in document order. */
  rules: number[];
  total: number;
}

/**
 * Expanded sizes in time linear in the written document: each shared condition is measured once
 * (memoised by name), however many times it is referenced. The numbers can be astronomically large
 * (a chain of conditions each using the next twice doubles per link); they are never materialised.
 */
export function expandedSizes(definition: Pick<RuleSetDefinition, 'sharedConditions' | 'rules'>): ExpandedSizes {
  const sharedDoc = (definition.sharedConditions ?? {}) as Record<string, unknown>;
  const names = Object.keys(sharedDoc);
  const known = new Set(names);
  const own = new Map<string, { written: number; references: string[] }>();
  for (const name of names) own.set(name, { written: writtenSize(sharedDoc[name]), references: directReferences(sharedDoc[name]) });

  const shared = new Map<string, number>();
  const inProgress = new Set<string>();
  const sizeOfReference = (name: string): number => (known.has(name) ? (shared.get(name) ?? 1) : 1);
  // Post-order over the reference graph with an explicit stack: a long chain cannot overflow the call stack.
  for (const root of names) {
    if (shared.has(root)) continue;
    const stack: Array<{ name: string; expanded: boolean }> = [{ name: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (shared.has(top.name)) {
        stack.pop();
        continue;
      }
      const entry = own.get(top.name) as { written: number; references: string[] };
      if (!top.expanded) {
        top.expanded = true;
        inProgress.add(top.name);
        for (const next of entry.references) {
          if (known.has(next) && !shared.has(next) && !inProgress.has(next)) stack.push({ name: next, expanded: false });
        }
        continue;
      }
      stack.pop();
      inProgress.delete(top.name);
      // A reference node is replaced by the condition it names: `written` counted it once already.
      let size = entry.written;
      for (const next of entry.references) size += sizeOfReference(next);
      shared.set(top.name, size);
    }
  }

  const rules = (Array.isArray(definition.rules) ? definition.rules : []).map((rule) => {
    const conditions = (rule as { conditions?: unknown } | null)?.conditions;
    let size = writtenSize(conditions);
    for (const name of directReferences(conditions)) size += sizeOfReference(name);
    return size;
  });
  return { shared, rules, total: rules.reduce((sum, size) => sum + size, 0) };
}
