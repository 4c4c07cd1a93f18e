import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../server/src/engine/array-literal';
import { createTestApp, type TestApp } from './support/test-app';

/** Array parameters built by arrayLiteral read back in the database exactly as the JS values were. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('arrayLiteral', () => {
  it('text arrays round-trip through the database, whatever the strings hold', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\0', '')), // PostgreSQL text holds no NUL
      fc.constantFrom('', 'NULL', 'null', ' ', '"', '\\', '{', '}', ',', 'a b', 'A1', '1,2,n', '{"x":1}', 'Select', 'é'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 20 }), async (values) => {
        const [row] = await t.sql<{ back: Array<string | null> }>('SELECT $1::text[] AS back', [arrayLiteral(values)]);
        expect(row.back).toEqual(values);
      }),
      { numRuns: 150 },
    );
  });

  it('numbers, booleans and times read back as the same values', async () => {
    const ints = [0, -1, 42, 2 ** 31 - 1, null];
    const ids = ['1', '9007199254740993', null];
    const reals = [0.1, 1 / 3, -2.5e-8, 1e21, 123456.789];
    const flags = [true, false, null];
    const times = [new Date('2026-12-01T10:00:00.123Z'), null, new Date(0)];
    const [row] = await t.sql<{
      ints: Array<number | null>;
      ids: Array<string | null>;
      reals: string[];
      flags: Array<boolean | null>;
      times: Array<number | null>;
    }>(
      `SELECT $1::int[] AS ints, $2::bigint[]::text[] AS ids, $3::float8[]::text[] AS reals, $4::boolean[] AS flags,
              ARRAY(SELECT (extract(epoch FROM x) * 1000)::float8 FROM unnest($5::timestamptz[]) WITH ORDINALITY AS u(x, n) ORDER BY n) AS times`,
      [arrayLiteral(ints), arrayLiteral(ids), arrayLiteral(reals), arrayLiteral(flags), arrayLiteral(times)],
    );
    expect(row.ints).toEqual(ints);
    expect(row.ids).toEqual(ids);
    expect(row.reals.map(Number)).toEqual(reals);
    expect(row.flags).toEqual(flags);
    expect(row.times.map((x) => (x === null ? null : Number(x)))).toEqual(times.map((d) => (d === null ? null : d.getTime())));
  });

  it('an empty array, and no non-finite number', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(() => arrayLiteral([Number.NaN])).toThrow(/not a finite number/);
    expect(() => arrayLiteral([Number.POSITIVE_INFINITY])).toThrow(/not a finite number/);
  });
});
