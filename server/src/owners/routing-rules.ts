import type { Problem } from '../common/errors';

/* Routing rules, pure: their limits, their problems, and which rule a lead matches. */

export interface RoutingRuleData {
  name: string;
  cells: string[] | null;
  segment: string | null;
  bands: string[] | null;
  attributes: Array<{ name: string; value: unknown }> | null;
  ownerId: string | null;
  team: string | null;
}

/** What routing sees of a lead: its score's cell and band, its segment and attributes. */
export interface RoutedLead {
  leadId: string;
  cell: string;
  band: string;
  segment: string | null;
  attributes: Record<string, unknown>;
}

/** The size of a rule list; every rule is checked against each routed lead, so this bounds the work. */
export const ROUTING_LIMITS = {
  rules: 100,
  nameLength: 100,
  /** Entries of `cells` or `bands` of one rule. */
  listEntries: 16,
  attributesPerRule: 20,
  /** Characters of a string value, segment or team. */
  valueLength: 200,
} as const;

const CELL = /^[A-D][1-4]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isOwnerId = (id: string): boolean => UUID.test(id);

/** What a rule list is checked against: known bands and attributes, owners that may receive leads, teams with an active owner. */
export interface RoutingVocabulary {
  bands: ReadonlySet<string>;
  attributes: ReadonlyMap<string, unknown>;
  activeOwners: ReadonlySet<string>;
  activeTeams: ReadonlySet<string>;
}

function scalarProblem(value: unknown): string | null {
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (typeof value === 'string')
    return value.length <= ROUTING_LIMITS.valueLength ? null : `at most ${ROUTING_LIMITS.valueLength} characters`;
  return 'must be a string, a number or true/false';
}

/** Every problem of a rule list, each named by its path (`rules[2].cells[0]`); empty when it may be saved. */
export function routingRuleProblems(rules: RoutingRuleData[], vocabulary: RoutingVocabulary): Problem[] {
  const problems: Problem[] = [];
  if (rules.length > ROUTING_LIMITS.rules)
    return [{ path: 'rules', message: `at most ${ROUTING_LIMITS.rules} rules, got ${rules.length}` }];
  const names = new Set<string>();
  rules.forEach((rule, index) => {
    const path = `rules[${index}]`;
    const name = rule.name?.trim() ?? '';
    if (!name || name.length > ROUTING_LIMITS.nameLength)
      problems.push({ path: `${path}.name`, message: `must be 1 to ${ROUTING_LIMITS.nameLength} characters` });
    else if (names.has(name)) problems.push({ path: `${path}.name`, message: `"${name}" names an earlier rule too` });
    names.add(name);
    for (const list of ['cells', 'bands'] as const) {
      const entries = rule[list] ?? [];
      if (entries.length > ROUTING_LIMITS.listEntries) {
        problems.push({ path: `${path}.${list}`, message: `at most ${ROUTING_LIMITS.listEntries} entries, got ${entries.length}` });
        continue;
      }
      entries.forEach((entry, entryIndex) => {
        const known = list === 'cells' ? CELL.test(entry) : vocabulary.bands.has(entry);
        if (!known) {
          const expected = list === 'cells' ? 'a cell A1 to D4' : `a band of an active rule set (${[...vocabulary.bands].join(', ')})`;
          problems.push({
            path: `${path}.${list}[${entryIndex}]`,
            message: `unknown ${list === 'cells' ? 'cell' : 'band'} "${entry.slice(0, 40)}": must be ${expected}`,
          });
        }
      });
    }
    if (rule.segment != null && (!rule.segment || rule.segment.length > ROUTING_LIMITS.valueLength))
      problems.push({ path: `${path}.segment`, message: `must be 1 to ${ROUTING_LIMITS.valueLength} characters` });
    const attributes = rule.attributes ?? [];
    if (attributes.length > ROUTING_LIMITS.attributesPerRule)
      problems.push({ path: `${path}.attributes`, message: `at most ${ROUTING_LIMITS.attributesPerRule} attribute conditions` });
    else
      attributes.forEach((attribute, attributeIndex) => {
        const at = `${path}.attributes[${attributeIndex}]`;
        if (!vocabulary.attributes.has(attribute.name))
          problems.push({ path: `${at}.name`, message: `unknown attribute "${attribute.name.slice(0, 64)}" (see attributeDefinitions)` });
        const problem = scalarProblem(attribute.value);
        if (problem) problems.push({ path: `${at}.value`, message: problem });
      });
    if ((rule.ownerId == null) === (rule.team == null)) {
      problems.push({ path: path, message: 'give exactly one target: ownerId or team' });
    } else if (rule.ownerId != null) {
      if (!isOwnerId(rule.ownerId) || !vocabulary.activeOwners.has(rule.ownerId.toLowerCase()))
        problems.push({ path: `${path}.ownerId`, message: `no active owner with id "${rule.ownerId.slice(0, 40)}"` });
    } else if (rule.team != null && !vocabulary.activeTeams.has(rule.team)) {
      problems.push({ path: `${path}.team`, message: `no active owner in team "${rule.team.slice(0, 40)}"` });
    }
  });
  return problems;
}

/** Empty lists and blank strings mean "any": stored as null. */
export function normalizeRule(rule: RoutingRuleData): RoutingRuleData {
  const list = (entries: string[] | null) => (entries?.length ? [...new Set(entries)] : null);
  return {
    name: rule.name.trim(),
    cells: list(rule.cells),
    segment: rule.segment ?? null,
    bands: list(rule.bands),
    attributes: rule.attributes?.length ? rule.attributes.map(({ name, value }) => ({ name, value })) : null,
    ownerId: rule.ownerId?.toLowerCase() ?? null,
    team: rule.team ?? null,
  };
}

function attributeMatches(actual: unknown, expected: unknown): boolean {
  return Array.isArray(actual) ? actual.includes(expected) : actual === expected;
}

/** Whether every condition the rule gives holds for the lead (a rule without conditions matches all). */
export function ruleMatches(rule: RoutingRuleData, lead: RoutedLead): boolean {
  if (rule.cells && !rule.cells.includes(lead.cell)) return false;
  if (rule.bands && !rule.bands.includes(lead.band)) return false;
  if (rule.segment != null && rule.segment !== lead.segment) return false;
  return (rule.attributes ?? []).every((condition) => attributeMatches(lead.attributes[condition.name], condition.value));
}

/** The first rule, in order, that matches the lead and whose target can take it now (active owner, team with an active owner). */
export function firstMatch(
  rules: readonly RoutingRuleData[],
  lead: RoutedLead,
  canTake: (rule: RoutingRuleData) => boolean,
): RoutingRuleData | null {
  return rules.find((rule) => ruleMatches(rule, lead) && canTake(rule)) ?? null;
}
