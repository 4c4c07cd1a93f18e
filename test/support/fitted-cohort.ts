import type { TestApp } from './test-app';

/*
 * 1,500 leads created in the first half of 2023 (26 weeks), decided 40 days after creation
 * (after the 30-day cutoff) by a known model, with a deterministic pseudo-random draw per lead:
 *   logit = -1.6 + 1.6 [200-5000 staff] + 1.0 [VP] + 1.2 [consulting] + 0.2 [student]
 * so the fit must raise the sweet spot and VPs, turn the consultancy penalty (-10) into a bonus
 * (plenty of evidence), but hold the student penalty (-30) at 0: about 75 students, an effect
 * too small to be sure of. budgetConfirmed is true for 12 leads only (too little support).
 */
export const FITTED_COHORT = { createdFrom: '2023-01-01T00:00:00Z', createdTo: '2023-07-02T00:00:00Z', cutoffDaysAfterCreation: 30 };

export async function insertFittedCohort(t: Pick<TestApp, 'sql'>): Promise<void> {
  await t.sql(`
    INSERT INTO lead (external_id, email, segment, source, attributes, outcome, outcome_at, deal_value, created_at, updated_at)
    SELECT 'fit-' || g, 'p' || g || '@corp' || g || '.com', NULL, 'web', a.attributes,
           CASE WHEN u < 1 / (1 + exp(-logit)) THEN 'converted' ELSE 'lost' END,
           created + interval '40 days', CASE WHEN u < 1 / (1 + exp(-logit)) THEN 1000 END, created, created
      FROM generate_series(1, 1500) g
      CROSS JOIN LATERAL (SELECT timestamptz '2023-01-01T00:00:00Z' + (g * interval '2.9 hours') AS created,
                                 (abs(hashint4(g * 7919 + 17)) % 100000) / 100000.0 AS u,
                                 (ARRAY[20, 100, 800, 800, 8000])[1 + g % 5] AS size,
                                 CASE WHEN g % 20 = 3 THEN 'student' WHEN g % 3 = 0 THEN 'vp' ELSE 'manager' END AS seniority,
                                 CASE WHEN g % 4 = 1 THEN 'consulting' ELSE 'retail' END AS industry) x
      CROSS JOIN LATERAL (SELECT jsonb_build_object('companySize', x.size, 'seniority', x.seniority, 'industry', x.industry)
                                 || CASE WHEN g % 125 = 7 THEN '{"budgetConfirmed": true}'::jsonb ELSE '{}'::jsonb END AS attributes,
                                 -1.6 + CASE WHEN x.size = 800 THEN 1.6 ELSE 0 END + CASE WHEN x.seniority = 'vp' THEN 1.0 ELSE 0 END
                                      + CASE WHEN x.industry = 'consulting' THEN 1.2 ELSE 0 END + CASE WHEN x.seniority = 'student' THEN 0.2 ELSE 0 END AS logit) a`);
}
