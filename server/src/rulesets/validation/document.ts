import { CELLS, type FactType } from '../../engine/ruleset-definition';
import type { RuleSetChecks } from './rule-set-checks';

/** Facts: unique names, and the type their source gives them. */
export function checkFacts(checks: RuleSetChecks): void {
  const seen = new Set<string>();
  checks.doc.facts.forEach((fact, index) => {
    if (seen.has(fact.name)) checks.add(`facts[${index}].name`, `duplicate fact name "${fact.name}"`);
    seen.add(fact.name);
    if (fact.source === 'activity') {
      const expected: FactType = fact.aggregate === 'exists' ? 'boolean' : 'number';
      if (fact.type !== expected) checks.add(`facts[${index}].type`, `a "${fact.aggregate}" fact is a ${expected}, not ${fact.type}`);
      if (fact.aggregate === 'sum' && !fact.property)
        checks.add(`facts[${index}].property`, 'a "sum" fact needs the activity property to sum');
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
        checks.add(`facts[${index}].type`, `lead field "${fact.field}" is a ${expected[fact.field]}, not ${fact.type}`);
    }
  });
}

/** Grades, levels, caps, bands, qualification and cells: ordered, reachable, complete. */
export function checkThresholds(checks: RuleSetChecks): void {
  const { grades, levels, bands, caps, qualification } = checks.doc;
  if (!(grades.A > grades.B)) checks.add('grades.B', `must be below grades.A (${grades.A})`);
  if (!(grades.B > grades.C)) checks.add('grades.C', `must be below grades.B (${grades.B})`);
  if (!(levels['1'] > levels['2'])) checks.add('levels.2', `must be below levels.1 (${levels['1']})`);
  if (!(levels['2'] > levels['3'])) checks.add('levels.3', `must be below levels.2 (${levels['2']})`);
  for (const dimension of ['fit', 'engagement'] as const) {
    if (!(caps[dimension].min < caps[dimension].max))
      checks.add(`caps.${dimension}.max`, `must be above caps.${dimension}.min (${caps[dimension].min})`);
  }
  if (caps.fit.max < grades.A) checks.add('caps.fit.max', `is below grades.A (${grades.A}): grade A could never be reached`);
  if (caps.engagement.max < levels['1'])
    checks.add('caps.engagement.max', `is below levels.1 (${levels['1']}): level 1 could never be reached`);
  const maxTotal = caps.fit.max + caps.engagement.max;
  bands.forEach((band, index) => {
    const last = index === bands.length - 1;
    if (last && band.min !== undefined) checks.add(`bands[${index}].min`, 'the last band catches every remaining score and has no min');
    if (!last && band.min === undefined) checks.add(`bands[${index}].min`, 'is required on every band but the last');
    if (index > 0 && band.min !== undefined && bands[index - 1].min !== undefined && !(band.min < (bands[index - 1].min as number))) {
      checks.add(`bands[${index}].min`, `must be below bands[${index - 1}].min (${bands[index - 1].min}): bands go from highest to lowest`);
    }
    if (band.min !== undefined && band.min > maxTotal)
      checks.add(
        `bands[${index}].min`,
        `is above the highest possible total ${maxTotal} (caps): band "${band.name}" could never be reached`,
      );
    const duplicate = bands.findIndex((other) => other.name === band.name);
    if (duplicate !== index) checks.add(`bands[${index}].name`, `duplicate band name "${band.name}"`);
  });
  if (qualification.threshold > maxTotal)
    checks.add('qualification.threshold', `is above the highest possible total ${maxTotal} (caps): no lead could qualify`);
  for (const cell of CELLS) if (!checks.doc.cells[cell]) checks.add(`cells.${cell}`, 'is required');
}
