import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { checksumOf } from '../engine/canonical-json';
import { InvalidInputError, NotFoundError } from '../common/errors';
import { RULES_DIR } from '../common/paths';
import { buildFactsQuery, type FactsQuery } from '../engine/facts';
import { createFastEvaluator, type FastEvaluator } from '../engine/fast-evaluator';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { RuleSetErrorCode } from './ruleset.errors';
import { RuleSetVersionEntity } from './ruleset-version.entity';
import { RuleSetEntity } from './ruleset.entity';
import { validateRuleSetDefinition } from './ruleset-validation';

export const DEFAULT_RULE_SET_FILE = path.join(RULES_DIR, 'default-b2b.json');

/** A published version ready to score with: compiled once, shared by every request. */
export interface ActiveRuleSet {
  ruleSetId: string;
  key: string;
  /** The score model it scores for (score_model.key; 'default': the lead score of lead_score). */
  model: string;
  /** The model's subject: what it scores. */
  subject: 'lead' | 'account';
  isDefault: boolean;
  segments: string[];
  versionId: string;
  version: number;
  checksum: string;
  definition: RuleSetDefinition;
  /** Compiled to plain JavaScript (json-rules-engine's semantics), or json-rules-engine one run at a time. */
  evaluator: FastEvaluator;
  factsQuery: FactsQuery;
}

/** Other processes publish too: the active set is re-read at most this often (a publish here invalidates at once). */
export const ACTIVE_CACHE_TTL_MS = 5_000;

export class RuleSetService {
  private activeCache: Promise<ActiveRuleSet[]> | null = null;
  /** Each model's active rule sets, per loaded list (so a reload drops them). */
  private readonly byModel = new WeakMap<ActiveRuleSet[], Map<string, ActiveRuleSet[]>>();
  private activeLoadedAt = 0;
  private readonly compiled = new Map<string, ActiveRuleSet>();

  /** On first start, installs rules/default-b2b.json as the published, active, default rule set. */
  async ensureDefaultRuleSet(manager: EntityManager, file = DEFAULT_RULE_SET_FILE): Promise<void> {
    const existing = await manager.count(RuleSetEntity);
    if (existing > 0) return;
    const definition = await loadDefinitionFile(file);
    const ruleSet = await manager.save(RuleSetEntity, {
      key: definition.key,
      name: definition.name,
      description: definition.description ?? '',
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
    this.invalidate();
  }

  private readonly definitions = new Map<string, RuleSetDefinition>();

  /** Definitions of versions by id (cached: a version that scored leads is published, so immutable). */
  async definitionsOf(manager: EntityManager, versionIds: Iterable<string>): Promise<Map<string, RuleSetDefinition>> {
    const missing = [...new Set(versionIds)].filter((id) => !this.definitions.has(id));
    if (missing.length) {
      const rows: Array<{ id: string; definition: RuleSetDefinition }> = await manager.query(
        'SELECT id::text AS id, definition FROM rule_set_version WHERE id = ANY($1::bigint[])',
        [missing],
      );
      for (const row of rows) this.definitions.set(row.id, row.definition);
    }
    return this.definitions;
  }

  invalidate(): void {
    this.activeCache = null;
  }

  /** The active rule sets of one score model (the default lead model unless told), or of every model with `null`. */
  async activeRuleSets(manager: EntityManager, model: string | null = 'default'): Promise<ActiveRuleSet[]> {
    if (!this.activeCache || Date.now() - this.activeLoadedAt > ACTIVE_CACHE_TTL_MS) {
      this.activeLoadedAt = Date.now();
      this.activeCache = this.loadActive(manager).catch((error: unknown) => {
        this.activeCache = null;
        throw error;
      });
    }
    const all = await this.activeCache;
    if (model === null) return all;
    let models = this.byModel.get(all);
    if (!models) {
      models = new Map();
      for (const ruleSet of all) {
        const list = models.get(ruleSet.model);
        if (list) list.push(ruleSet);
        else models.set(ruleSet.model, [ruleSet]);
      }
      this.byModel.set(all, models);
    }
    return models.get(model) ?? [];
  }

  /** Makes sure the cached active rule sets include this version (another process may just have published it). */
  async ensureActiveVersion(manager: EntityManager, versionId: string): Promise<void> {
    const active = await this.activeRuleSets(manager, null);
    if (active.some((ruleSet) => ruleSet.versionId === versionId)) return;
    this.invalidate();
    await this.activeRuleSets(manager, null);
  }

  /** The rule set that scores a lead of this segment in a model: the one mapped to the segment, else the model's default. */
  async resolveForSegment(manager: EntityManager, segment: string | null, model = 'default'): Promise<ActiveRuleSet> {
    const chosen = await this.findForSegment(manager, segment, model);
    if (!chosen)
      throw new NotFoundError(
        RuleSetErrorCode.NoActiveRuleSet,
        model === 'default' ? 'No active default rule set is published' : `Score model "${model}" has no active default rule set`,
      );
    return chosen;
  }

  /** resolveForSegment, or null when nothing of the model scores this segment (a model being set up). */
  async findForSegment(manager: EntityManager, segment: string | null, model = 'default'): Promise<ActiveRuleSet | null> {
    const active = await this.activeRuleSets(manager, model);
    const bySegment = segment === null ? undefined : active.find((ruleSet) => ruleSet.segments.includes(segment));
    return bySegment ?? active.find((ruleSet) => ruleSet.isDefault) ?? null;
  }

  private async loadActive(manager: EntityManager): Promise<ActiveRuleSet[]> {
    const rows: Array<{
      rule_set_id: string;
      key: string;
      model: string;
      subject: 'lead' | 'account';
      is_default: boolean;
      segments: string[];
      version_id: string;
      version: number;
      checksum: string;
      definition: RuleSetDefinition;
    }> = await manager.query(`
        SELECT rs.id::text AS rule_set_id, rs.key, rs.model, m.subject, rs.is_default, rs.segments,
               v.id::text AS version_id, v.version, v.checksum, v.definition
          FROM rule_set rs
          JOIN score_model m ON m.key = rs.model
          JOIN rule_set_version v ON v.id = rs.active_version_id
         WHERE rs.archived_at IS NULL`);
    return rows.map((row) => {
      const cached = this.compiled.get(row.version_id);
      if (cached && cached.isDefault === row.is_default && cached.segments.join() === row.segments.join()) return cached;
      const active: ActiveRuleSet = {
        ruleSetId: row.rule_set_id,
        key: row.key,
        model: row.model,
        subject: row.subject,
        isDefault: row.is_default,
        segments: row.segments,
        versionId: row.version_id,
        version: row.version,
        checksum: row.checksum,
        definition: row.definition,
        evaluator: createFastEvaluator(row.definition),
        factsQuery: buildFactsQuery(row.definition),
      };
      this.compiled.set(row.version_id, active);
      return active;
    });
  }
}

export async function loadDefinitionFile(file: string): Promise<RuleSetDefinition> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, file, `cannot read rule set file: ${(error as Error).message}`);
  }
  const problems = validateRuleSetDefinition(parsed);
  if (problems.length > 0) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
  return parsed as RuleSetDefinition;
}
