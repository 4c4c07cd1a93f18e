import type { App } from '../app';
import { SYSTEM_ACTOR } from '../auth/actor';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { DEFAULT_RULE_SET_FILE, loadDefinitionFile } from '../rulesets/ruleset.service';

export const DEMO_PRODUCT_MODEL = 'product';
export const DEMO_PRODUCT_RULE_SET = 'product-line';

/** Points the product line gives instead of the default rule set's: trials and webinars matter more, smaller companies fit. */
const PRODUCT_POINTS: Record<string, number> = {
  'eng-started-trial': 45,
  'eng-webinar-attended': 20,
  'eng-requested-demo': 25,
  'eng-case-study': 15,
};

function productDefinition(base: RuleSetDefinition): RuleSetDefinition {
  return {
    ...base,
    key: DEMO_PRODUCT_RULE_SET,
    name: 'Analytics add-on',
    description: 'Interest in the analytics add-on: the default rules, with trials, webinars and case studies weighing more.',
    rules: base.rules.map((rule) =>
      rule.name in PRODUCT_POINTS
        ? { ...rule, event: { ...rule.event, params: { ...rule.event.params, points: PRODUCT_POINTS[rule.name] } } }
        : rule,
    ),
  };
}

/**
 * A second lead model, "product" (one product line), with its own rule set and a published
 * version, so the demo's leads have two scores. Set up before the scoring passes: the lead model
 * scorer then scores it after the default model in every pass. Does nothing when the model exists.
 */
export async function seedDemoProductModel(app: App): Promise<boolean> {
  const { dataSource, services } = app;
  if (await services.workflow.scoreModels.get(DEMO_PRODUCT_MODEL)) return false;
  await services.workflow.scoreModels.create(SYSTEM_ACTOR, {
    key: DEMO_PRODUCT_MODEL,
    name: 'Product line',
    subject: 'lead',
    description: 'Interest in the analytics add-on, scored beside the lead score.',
  });
  const definition = productDefinition(await loadDefinitionFile(DEFAULT_RULE_SET_FILE));
  const { draft } = await services.workflow.createRuleSet(SYSTEM_ACTOR, {
    key: DEMO_PRODUCT_RULE_SET,
    name: definition.name,
    model: DEMO_PRODUCT_MODEL,
    definition,
  });
  // Published directly, as first start installs the default rule set: a review needs reviewers the seed does not have.
  await dataSource.transaction(async (manager) => {
    await manager.query(`UPDATE rule_set_version SET status = 'published', published_at = now() WHERE id = $1::bigint`, [draft.id]);
    await manager.query('UPDATE rule_set SET active_version_id = $1::bigint WHERE key = $2', [draft.id, DEMO_PRODUCT_RULE_SET]);
  });
  services.ruleSets.invalidate();
  return true;
}
