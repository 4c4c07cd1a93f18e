import { directReferences } from '../../engine/ruleset-definition';
import { quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';

/** Shared conditions that refer to one another. (References to unknown names: checkCondition.) */

/**
 * json-rules-engine would recurse forever on a cycle of references: refuse any. Depth-first with
 * each shared condition finished once, so the work is linear however often names are reused.
 */
export function checkReferenceCycles(checks: RuleSetChecks): void {
  const shared = checks.doc.sharedConditions ?? {};
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
          checks.add(
            `sharedConditions.${cycle[0]}`,
            `Shared condition ${quoted(cycle[0])} refers to itself: ${cycle.join(' -> ')}; remove one of these references`,
          );
        }
      } else if (references.has(next) && !finished.has(next)) visit(next);
    }
    trail.pop();
    onTrail.delete(name);
    finished.add(name);
  };
  for (const name of references.keys()) if (!finished.has(name)) visit(name);
}
