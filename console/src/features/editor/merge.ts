import { jsonEqual, toDefinition, toJsonObject, type RuleDefinition, type RuleSetDefinition } from './definition';

export interface MergeResult {
  definition: RuleSetDefinition;
  /** What both sides changed differently; the local edit was kept for each. */
  conflicts: string[];
}

function pick<T>(base: T | undefined, mine: T | undefined, theirs: T | undefined, what: string, conflicts: string[]): T | undefined {
  if (jsonEqual(mine, base)) return theirs;
  if (jsonEqual(theirs, base) || jsonEqual(mine, theirs)) return mine;
  conflicts.push(what);
  return mine;
}

function mergeRecord<T>(
  base: Record<string, T> | undefined,
  mine: Record<string, T> | undefined,
  theirs: Record<string, T> | undefined,
  what: string,
  conflicts: string[],
) {
  const keys = new Set([...Object.keys(mine ?? {}), ...Object.keys(theirs ?? {}), ...Object.keys(base ?? {})]);
  const out: Record<string, T> = {};
  for (const key of keys) {
    const value = pick(base?.[key], mine?.[key], theirs?.[key], `${what} ${key}`, conflicts);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function mergeRules(base: RuleDefinition[], mine: RuleDefinition[], theirs: RuleDefinition[], conflicts: string[]): RuleDefinition[] {
  const byName = (rules: RuleDefinition[]) => new Map(rules.map((rule) => [rule.name, rule]));
  const [b, m, t] = [byName(base), byName(mine), byName(theirs)];
  // My order first; rules only they added go after the rule that precedes them on their side.
  const order = mine.map((rule) => rule.name);
  theirs.forEach((rule, index) => {
    if (order.includes(rule.name) || b.has(rule.name)) return;
    const before = index > 0 ? order.indexOf(theirs[index - 1].name) : -1;
    order.splice(before + 1, 0, rule.name);
  });
  for (const name of b.keys()) if (!order.includes(name)) order.push(name);
  const merged: RuleDefinition[] = [];
  for (const name of order) {
    const rule = pick(b.get(name), m.get(name), t.get(name), `rule "${name}"`, conflicts);
    if (rule) merged.push(rule);
  }
  return merged;
}

/**
 * Three-way merge of rule set documents: my edit and theirs, both made from `base`. Rules merge by
 * name, shared conditions and cells by key, every other top-level member as a whole. Where both
 * sides changed the same thing differently, my version wins and the conflict is reported.
 */
export function mergeDefinitions(base: RuleSetDefinition, mine: RuleSetDefinition, theirs: RuleSetDefinition): MergeResult {
  const conflicts: string[] = [];
  const merged: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(mine), ...Object.keys(theirs)]);
  for (const key of keys) {
    if (key === 'rules') merged.rules = mergeRules(base.rules ?? [], mine.rules ?? [], theirs.rules ?? [], conflicts);
    else if (key === 'sharedConditions' || key === 'cells') {
      const value = mergeRecord(
        base[key] as Record<string, unknown>,
        mine[key] as Record<string, unknown>,
        theirs[key] as Record<string, unknown>,
        key === 'cells' ? 'cell' : 'shared condition',
        conflicts,
      );
      if (Object.keys(value).length || mine[key] || theirs[key]) merged[key] = value;
    } else {
      const value = pick(toJsonObject(base)[key], toJsonObject(mine)[key], toJsonObject(theirs)[key], key, conflicts);
      if (value !== undefined) merged[key] = value;
    }
  }
  return { definition: toDefinition(merged), conflicts };
}
