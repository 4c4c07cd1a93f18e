import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beforeOf, factAt, firedOf, formatFacts, parseFacts, type SignedScore, scoreSignature } from './score-signature';

const score = (overrides: Partial<SignedScore> = {}): SignedScore => ({
  fit: 40,
  engagement: 25,
  total: 65,
  qualified: false,
  cell: 'B2',
  band: 'warm',
  action: 'nurture',
  actionLabel: 'Nurture',
  compact: { firedRules: [0, 3, 7], capFit: 0, capEngagement: -5, decay: -2 },
  ...overrides,
});

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const signed = fc.record({
  fit: fc.integer({ min: -500, max: 500 }),
  engagement: fc.integer({ min: -500, max: 500 }),
  total: fc.integer({ min: -1000, max: 1000 }),
  qualified: fc.boolean(),
  cell: text,
  band: text,
  action: text,
  actionLabel: text,
  compact: fc.record({
    firedRules: fc.array(fc.nat({ max: 300 }), { maxLength: 20 }),
    capFit: fc.integer({ min: -100, max: 0 }),
    capEngagement: fc.integer({ min: -100, max: 0 }),
    decay: fc.integer({ min: -100, max: 0 }),
  }),
});

describe('score signature', () => {
  it('lists what a lead sees, numbers first, then the strings as JSON', () => {
    expect(scoreSignature(score())).toBe('40|25|65|false|0|-5|-2|0,3,7|"B2","warm","nurture","Nurture"');
  });

  it('differs when anything a lead sees differs, and only then', () => {
    expect(scoreSignature(score())).toBe(scoreSignature(score()));
    expect(scoreSignature(score({ actionLabel: 'Nurture them' }))).not.toBe(scoreSignature(score()));
    expect(scoreSignature(score({ compact: { firedRules: [0, 3], capFit: 0, capEngagement: -5, decay: -2 } }))).not.toBe(
      scoreSignature(score()),
    );
  });

  it('gives back the fired rules and the before-state of any score, whatever its strings contain', () => {
    fc.assert(
      fc.property(signed, (s) => {
        const signature = scoreSignature(s);
        expect(firedOf(signature)).toEqual(s.compact.firedRules);
        expect(beforeOf(signature)).toEqual({ total: s.total, qualified: s.qualified, action: s.action, cell: s.cell, band: s.band });
      }),
    );
  });

  it('reads no fired rules from a score without any', () => {
    expect(firedOf(scoreSignature(score({ compact: { firedRules: [], capFit: 0, capEngagement: 0, decay: 0 } })))).toEqual([]);
  });
});

describe('cached facts text', () => {
  const values = fc.array(fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), {
    maxLength: 30,
  });

  it('round-trips every aggregate exactly, nulls included', () => {
    fc.assert(
      fc.property(values, (facts) => {
        const parsed = parseFacts(formatFacts(facts));
        // -0 is written as 0: the same number for every comparison a rule makes.
        expect(parsed).toEqual(facts.map((value) => (Object.is(value, -0) ? 0 : value)));
      }),
    );
  });

  it('reads one aggregate without parsing the rest, null past the end', () => {
    fc.assert(
      fc.property(values, fc.nat({ max: 40 }), (facts, index) => {
        const expected = index < facts.length ? facts[index] : null;
        expect(factAt(formatFacts(facts), index)).toBe(Object.is(expected, -0) ? 0 : expected);
      }),
    );
  });

  it('formats nulls as n', () => {
    expect(formatFacts([1, null, 2.5])).toBe('1,n,2.5');
    expect(parseFacts('')).toEqual([]);
  });
});
