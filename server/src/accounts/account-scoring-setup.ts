import { access } from 'node:fs/promises';
import type { EntityManager } from 'typeorm';
import { checksumOf } from '../engine/canonical-json';
import { loadDefinitionFile, type RuleSetService } from '../rulesets/ruleset.service';
import { RuleSetEntity } from '../rulesets/ruleset.entity';
import { RuleSetVersionEntity } from '../rulesets/ruleset-version.entity';
import { ACCOUNT_DEFAULT_RULE_SET_FILE } from '../rulesets/score-models';
import { DEFAULT_ACCOUNT_MODEL } from './account-scoring.service';

/**
 * On a start where the default account model has no rule set yet (a new database, or one from
 * before accounts), installs rules/account-default.json as its published, active, default rule set,
 * as the lead default is installed. Returns whether it installed one.
 */
export async function ensureAccountDefaultRuleSet(
  manager: EntityManager,
  ruleSets: Pick<RuleSetService, 'invalidate'>,
  file = ACCOUNT_DEFAULT_RULE_SET_FILE,
): Promise<boolean> {
  if ((await manager.count(RuleSetEntity, { where: { model: DEFAULT_ACCOUNT_MODEL } })) > 0) return false;
  const shipped = await access(file).then(
    () => true,
    () => false,
  );
  if (!shipped) return false;
  const definition = await loadDefinitionFile(file);
  // A lead rule set may already use the shipped key: then the account model is left to be set up by hand.
  if ((await manager.count(RuleSetEntity, { where: { key: definition.key } })) > 0) return false;
  const ruleSet = await manager.save(RuleSetEntity, {
    key: definition.key,
    name: definition.name,
    description: definition.description ?? '',
    model: DEFAULT_ACCOUNT_MODEL,
    isDefault: true,
    segments: [],
  });
  const version = await manager.save(RuleSetVersionEntity, {
    ruleSetId: ruleSet.id,
    version: 1,
    status: 'published',
    definition,
    checksum: checksumOf(definition),
    createdBy: 'system',
    publishedAt: new Date(),
  });
  await manager.update(RuleSetEntity, { id: ruleSet.id }, { activeVersionId: version.id });
  ruleSets.invalidate();
  return true;
}
