import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActivityCatalog,
  type ActivityTypeSpec,
  BUILT_IN_CATALOG,
  checkActivityProperties,
  storedActivityType,
} from '../server/src/activities/activity-catalog';
import { editDistance } from '../server/src/rulesets/validation/suggest';

/*
 * The catalog's pure checks against a plain model, on arbitrary definitions and activities: which
 * properties are reported (and only those), and which type an activity is stored under.
 */

const NAMES = ['feature', 'minutes', 'plan', 'seats', 'trial', 'source'];
const kind = fc.constantFrom<'string' | 'number' | 'boolean'>('string', 'number', 'boolean');
const value = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const spec = fc
  .record({
    declared: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), type: kind, required: fc.boolean() }), {
      selector: (p) => p.name,
      maxLength: 4,
    }),
    openProperties: fc.boolean(),
  })
  .map(
    ({ declared, openProperties }): ActivityTypeSpec => ({
      name: 'feature_used',
      code: 19,
      label: 'Feature used',
      description: '',
      properties: declared,
      openProperties,
      builtIn: false,
      retiredAt: null,
    }),
  );

/** What the checks must report, written the plain way. */
function expectedPaths(properties: Record<string, unknown>, type: ActivityTypeSpec): string[] {
  const paths: string[] = [];
  for (const [name, v] of Object.entries(properties)) {
    const declared = type.properties.find((p) => p.name === name);
    if (!declared) {
      if (!type.openProperties) paths.push(`input.properties.${name}`);
    } else if (v !== null && typeof v !== declared.type) paths.push(`input.properties.${name}`);
  }
  for (const p of type.properties)
    if (p.required && (properties[p.name] === undefined || properties[p.name] === null)) paths.push(`input.properties.${p.name}`);
  return paths.sort();
}

describe('checkActivityProperties', () => {
  it('reports exactly the undeclared (on a closed type), mistyped and missing required properties', () => {
    fc.assert(
      fc.property(spec, fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 6 }), (type, properties) => {
        const problems = checkActivityProperties(properties, type, 'input');
        expect(problems.map((p) => p.path).sort()).toEqual(expectedPaths(properties, type));
        for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 15 },
    );
  });

  it('accepts any flat properties on the built-in types', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BUILT_IN_CATALOG.types.values()),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value),
        (type, properties) => {
          expect(checkActivityProperties(properties, type, 'input')).toEqual([]);
        },
      ),
      { numRuns: 200, seed: 16 },
    );
  });
});

describe('storedActivityType', () => {
  it('keeps known types (retired ones too) and blank names; maps other names only under MAP_TO', () => {
    const known = [...BUILT_IN_CATALOG.types.keys()];
    const mapping: ActivityCatalog = { types: BUILT_IN_CATALOG.types, unknownTypes: { policy: 'MAP_TO', mapTo: 'other' } };
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 20 })), (type) => {
        expect(storedActivityType(type, BUILT_IN_CATALOG)).toBe(type);
        const expected = known.includes(type) || !type.trim() ? type : 'other';
        expect(storedActivityType(type, mapping)).toBe(expected);
      }),
      { numRuns: 500, seed: 17 },
    );
  });
});

/** Optimal string alignment distance, the textbook full matrix. */
function naiveDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

describe('editDistance (suggestions over a catalog of hundreds of types)', () => {
  it('equals the full-matrix distance, and stops above a limit without ever missing a distance within it', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_'), maxLength: 12 });
    fc.assert(
      fc.property(text, text, fc.nat({ max: 6 }), (a, b, limit) => {
        const exact = naiveDistance(a, b);
        expect(editDistance(a, b)).toBe(exact);
        const bounded = editDistance(a, b, limit);
        if (exact <= limit) expect(bounded).toBe(exact);
        else expect(bounded).toBeGreaterThan(limit);
      }),
      { numRuns: 2000, seed: 18 },
    );
  });
});
