import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { copy, expectOnlyProblem } from './validation-fixtures';

/* The rule set validator: grades, levels, bands, caps and qualification. */

describe('validateRuleSetDefinition: thresholds', () => {
  it('grades out of order (B not below A)', () => {
    const doc = copy();
    doc.grades = { A: 40, B: 60, C: 20 };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'grades.B', /^The grade B threshold must be below the grade A threshold \(40\)$/);
  });

  it('grades out of order (C equal to B)', () => {
    const doc = copy();
    doc.grades = { A: 60, B: 40, C: 40 };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'grades.C', /^The grade C threshold must be below the grade B threshold \(40\)$/);
  });

  it('levels out of order (3 above 2)', () => {
    const doc = copy();
    doc.levels = { '1': 60, '2': 15, '3': 35 };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'levels.3', /^The level 3 threshold must be below the level 2 threshold \(15\)$/);
  });

  it('levels out of order (2 equal to 1)', () => {
    const doc = copy();
    doc.levels = { '1': 60, '2': 60, '3': 15 };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'levels.2', /^The level 2 threshold must be below the level 1 threshold \(60\)$/);
  });

  it('bands out of order', () => {
    const doc = copy();
    doc.bands = [{ name: 'hot', min: 60 }, { name: 'warm', min: 110 }, { name: 'cold' }];
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'bands[1].min',
      /^Band "warm" must start below band "hot" \(60\): bands go from highest to lowest$/,
    );
  });

  it('the last band has a min', () => {
    const doc = copy();
    doc.bands[2].min = 0;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'bands[2].min',
      /^The last band, "cold", catches every remaining score: remove its lowest score$/,
    );
  });

  it('a band before the last without a min', () => {
    const doc = copy();
    delete doc.bands[1].min;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'bands[1].min',
      /^Band "warm" needs a lowest score \(every band but the last has one\)$/,
    );
  });

  it('duplicate band names', () => {
    const doc = copy();
    doc.bands[1].name = 'hot';
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'bands[1].name',
      /^Another band is already named "hot": give each band its own name$/,
    );
  });

  it('caps below thresholds: caps.fit.max below grades.A', () => {
    const doc = copy();
    doc.caps.fit.max = 50;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'caps.fit.max',
      /^The highest fit points are below the grade A threshold \(60\): no lead could reach grade A$/,
    );
  });

  it('caps below thresholds: caps.engagement.max below levels.1', () => {
    const doc = copy();
    doc.caps.engagement.max = 59;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'caps.engagement.max',
      /^The highest engagement points are below the level 1 threshold \(60\): no lead could reach level 1$/,
    );
  });

  it('caps with min not below max', () => {
    const doc = copy();
    doc.caps.engagement = { min: 100, max: 100 };
    expect(validateRuleSetDefinition(doc)).toContainEqual({
      path: 'caps.engagement.max',
      message: expect.stringMatching(/^The highest engagement points must be above the lowest \(100\)$/),
    });
  });

  it('qualification threshold unreachable (above caps.fit.max + caps.engagement.max)', () => {
    const doc = copy();
    doc.qualification.threshold = 201;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'qualification.threshold',
      /^The qualification threshold \d+ is above the highest possible total of 200 .*: no lead could qualify$/,
    );
    const reachable = copy();
    reachable.qualification.threshold = 200;
    expect(validateRuleSetDefinition(reachable)).toEqual([]);
  });

  it('a band unreachable (min above the highest possible total)', () => {
    const doc = copy();
    doc.bands[0].min = 201;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'bands[0].min',
      /^Band "hot" starts at \d+, above the highest possible total of 200 .*: no lead could reach it$/,
    );
  });
});
