import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../server/src/accounts/account-score-rows';
import { canonicalJson } from '../server/src/engine/canonical-json';

/** Account scores are written only when they differ from the stored ones: the comparison must agree with canonical JSON. */

describe('sameJson', () => {
  const json = fc.jsonValue({ maxDepth: 3 });

  it('says equal exactly when canonical JSON does, for any two JSON values', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
    );
  });

  it('ignores the order of keys and an undefined property, not a changed contact', () => {
    const stored = [{ rule: 'r', points: 5, contacts: [{ leadId: '1', label: 'Ann' }] }];
    expect(sameJson(stored, [{ contacts: [{ label: 'Ann', leadId: '1' }], points: 5, rule: 'r', extra: undefined }])).toBe(true);
    expect(sameJson(stored, [{ rule: 'r', points: 5, contacts: [{ leadId: '2', label: 'Ann' }] }])).toBe(false);
    expect(sameJson(stored, [{ rule: 'r', points: 5 }])).toBe(false);
    expect(sameJson(stored, [])).toBe(false);
  });

  it('a value equal to a copy of itself parsed back from JSON', () => {
    fc.assert(
      fc.property(json, (a) => {
        expect(sameJson(JSON.parse(JSON.stringify(a)), a)).toBe(true);
      }),
    );
  });
});
