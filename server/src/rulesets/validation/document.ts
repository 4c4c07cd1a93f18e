import { CELLS, type FactType } from '../../engine/ruleset-definition';
import { humanise, quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';

/** Facts: unique names, and the type their source gives them. */
export function checkFacts(checks: RuleSetChecks): void {
  const seen = new Set<string>();
  checks.doc.facts.forEach((fact, index) => {
    if (seen.has(fact.name))
      checks.add(`facts[${index}].name`, `Another fact is already named ${quoted(fact.name)}: give each fact its own name`);
    seen.add(fact.name);
    if (fact.source === 'activity') {
      const expected: FactType = fact.aggregate === 'exists' ? 'boolean' : 'number';
      if (fact.type !== expected)
        checks.add(
          `facts[${index}].type`,
          `A ${quoted(fact.aggregate)} fact is a ${expected}, not a ${fact.type}: set its type to ${expected}`,
        );
      if (fact.aggregate === 'sum' && !fact.property)
        checks.add(`facts[${index}].property`, 'A "sum" fact adds up a property of the activities: enter which one');
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
        checks.add(
          `facts[${index}].type`,
          `The lead's ${humanise(fact.field).toLowerCase()} is a ${expected[fact.field]}, not a ${fact.type}: set the fact's type to ${expected[fact.field]}`,
        );
    }
  });
}

/** Grades, levels, caps, bands, qualification and cells: ordered, reachable, complete. */
export function checkThresholds(checks: RuleSetChecks): void {
  const { grades, levels, bands, caps, qualification } = checks.doc;
  if (!(grades.A > grades.B)) checks.add('grades.B', `The grade B threshold must be below the grade A threshold (${grades.A})`);
  if (!(grades.B > grades.C)) checks.add('grades.C', `The grade C threshold must be below the grade B threshold (${grades.B})`);
  if (!(levels['1'] > levels['2'])) checks.add('levels.2', `The level 2 threshold must be below the level 1 threshold (${levels['1']})`);
  if (!(levels['2'] > levels['3'])) checks.add('levels.3', `The level 3 threshold must be below the level 2 threshold (${levels['2']})`);
  for (const dimension of ['fit', 'engagement'] as const) {
    if (!(caps[dimension].min < caps[dimension].max))
      checks.add(`caps.${dimension}.max`, `The highest ${dimension} points must be above the lowest (${caps[dimension].min})`);
  }
  if (caps.fit.max < grades.A)
    checks.add('caps.fit.max', `The highest fit points are below the grade A threshold (${grades.A}): no lead could reach grade A`);
  if (caps.engagement.max < levels['1'])
    checks.add(
      'caps.engagement.max',
      `The highest engagement points are below the level 1 threshold (${levels['1']}): no lead could reach level 1`,
    );
  const maxTotal = caps.fit.max + caps.engagement.max;
  bands.forEach((band, index) => {
    const last = index === bands.length - 1;
    if (last && band.min !== undefined)
      checks.add(`bands[${index}].min`, `The last band, ${quoted(band.name)}, catches every remaining score: remove its lowest score`);
    if (!last && band.min === undefined)
      checks.add(`bands[${index}].min`, `Band ${quoted(band.name)} needs a lowest score (every band but the last has one)`);
    if (index > 0 && band.min !== undefined && bands[index - 1].min !== undefined && !(band.min < (bands[index - 1].min as number))) {
      checks.add(
        `bands[${index}].min`,
        `Band ${quoted(band.name)} must start below band ${quoted(bands[index - 1].name)} (${bands[index - 1].min}): bands go from highest to lowest`,
      );
    }
    if (band.min !== undefined && band.min > maxTotal)
      checks.add(
        `bands[${index}].min`,
        `Band ${quoted(band.name)} starts at ${band.min}, above the highest possible total of ${maxTotal} (the highest fit and engagement points): no lead could reach it`,
      );
    const duplicate = bands.findIndex((other) => other.name === band.name);
    if (duplicate !== index)
      checks.add(`bands[${index}].name`, `Another band is already named ${quoted(band.name)}: give each band its own name`);
  });
  if (qualification.threshold > maxTotal)
    checks.add(
      'qualification.threshold',
      `The qualification threshold ${qualification.threshold} is above the highest possible total of ${maxTotal} (the highest fit and engagement points): no lead could qualify`,
    );
  for (const cell of CELLS) if (!checks.doc.cells[cell]) checks.add(`cells.${cell}`, `Cell ${cell} of the grid needs a value`);
}
