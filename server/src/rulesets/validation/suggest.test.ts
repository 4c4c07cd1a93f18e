import { describe, expect, it } from 'vitest';
import { closestAllowed, editDistance, normaliseValue } from './suggest';

const INDUSTRIES = ['software', 'it_services', 'financial_services', 'insurance', 'government', 'other'];
const SENIORITIES = ['c_level', 'vp', 'director', 'manager', 'individual_contributor', 'student'];

describe('did you mean', () => {
  it.each([
    ['softwear', INDUSTRIES, 'software'],
    ['Software', INDUSTRIES, 'software'],
    ['C-Level', SENIORITIES, 'c_level'],
    ['c level', SENIORITIES, 'c_level'],
    ['IT Services', INDUSTRIES, 'it_services'],
    ['finacial_services', INDUSTRIES, 'financial_services'],
    ['directer', SENIORITIES, 'director'],
    ['VP', SENIORITIES, 'vp'],
  ])('%s -> %s', (value, allowed, expected) => {
    expect(closestAllowed(value, allowed)).toBe(expected);
  });

  it('suggests nothing when no allowed value is close', () => {
    expect(closestAllowed('aerospace', INDUSTRIES)).toBeUndefined();
    expect(closestAllowed('x', SENIORITIES)).toBeUndefined();
    expect(closestAllowed('', INDUSTRIES)).toBeUndefined();
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('sotfware', 'software')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('ignores case and separators', () => {
    expect(normaliseValue('  Financial-Services ')).toBe('financial_services');
    expect(normaliseValue('c.level')).toBe('c_level');
  });
});
