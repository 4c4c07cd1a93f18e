import { access } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, InvalidInputError } from '../common/errors';
import { RULES_DIR } from '../common/paths';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { RuleSetErrorCode } from './ruleset.errors';
import { RULE_SET_ROLES, requireRole } from './ruleset-roles';
import type { RuleSetService } from './ruleset.service';
import { loadDefinitionFile } from './ruleset.service';
import { ScoreModelErrorCode } from './score-models.errors';

export type ScoreModelSubject = 'lead' | 'account';

export interface ScoreModelRow {
  key: string;
  subject: ScoreModelSubject;
  name: string;
  description: string;
  isDefault: boolean;
  createdAt: Date;
}

/** What creating a rule set takes; `model` defaults to 'default'. */
export interface NewRuleSetInput {
  key: string;
  name: string;
  description?: string | null;
  segments?: string[] | null;
  definition?: unknown;
  model?: string | null;
}

/** The first draft of an account model's rule set when none is given and the model has none yet. */
export const ACCOUNT_DEFAULT_RULE_SET_FILE = path.join(RULES_DIR, 'account-default.json');

const MODEL_KEY = /^[a-z][a-z0-9_-]{1,62}$/;
const COLUMNS = `key, subject, name, description, is_default AS "isDefault", created_at AS "createdAt"`;

/**
 * Score models: named scoring streams, each for leads or accounts, each with its own rule sets.
 * Two are installed ('default' for leads, 'account'); more are created here. Creating a model creates
 * no rule set: the first rule set created with `model` set becomes the model's default.
 */
export class ScoreModelService {
  private cache: { at: number; models: Promise<Map<string, ScoreModelRow>> } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly audit: AuditService,
  ) {}

  list(subject: ScoreModelSubject | null = null, manager: EntityManager = this.dataSource.manager): Promise<ScoreModelRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM score_model WHERE ($1::text IS NULL OR subject = $1) ORDER BY is_default DESC, subject DESC, key`,
      [subject],
    );
  }

  /** Models by key, re-read at most every 5 s (models are only ever added): for per-row checks of a `model` argument. */
  async cached(): Promise<Map<string, ScoreModelRow>> {
    if (!this.cache || Date.now() - this.cache.at > 5_000) {
      const models = this.list().then((rows) => new Map(rows.map((row) => [row.key, row])));
      this.cache = { at: Date.now(), models };
      models.catch(() => {
        this.cache = null;
      });
    }
    return this.cache.models;
  }

  async get(key: string, manager: EntityManager = this.dataSource.manager): Promise<ScoreModelRow | null> {
    const [row]: ScoreModelRow[] = await manager.query(`SELECT ${COLUMNS} FROM score_model WHERE key = $1`, [key]);
    return row ?? null;
  }

  /** The model of this key, or BAD_USER_INPUT naming `path` (an input field that names a model). */
  async require(key: string, path: string, manager: EntityManager = this.dataSource.manager): Promise<ScoreModelRow> {
    const model = typeof key === 'string' && key.length <= 63 ? await this.get(key, manager) : null;
    if (!model) {
      const known = (await this.list(null, manager)).map((row) => row.key);
      throw InvalidInputError.field(
        ScoreModelErrorCode.ScoreModelNotFound,
        path,
        `no score model "${String(key).slice(0, 63)}"; known: ${known.join(', ')}`,
      );
    }
    return model;
  }

  /**
   * A rule set scores its model's subject: an account definition in a lead model (or the reverse)
   * would never fit its scores. The problem at `subject`, or null when they agree.
   */
  async subjectMismatch(ruleSetKey: string, definition: RuleSetDefinition): Promise<{ path: string; message: string } | null> {
    const [owner]: Array<{ model: string; subject: ScoreModelSubject }> = await this.dataSource.query(
      'SELECT m.key AS model, m.subject FROM rule_set r JOIN score_model m ON m.key = r.model WHERE r.key = $1',
      [ruleSetKey],
    );
    if (!owner || owner.subject === (definition.subject ?? 'lead')) return null;
    return {
      path: 'subject',
      message: `must be "${owner.subject}": rule set "${ruleSetKey}" belongs to score model "${owner.model}", which scores ${owner.subject}s`,
    };
  }

  async create(
    actor: Actor,
    input: { key: string; name: string; subject: ScoreModelSubject; description?: string | null },
  ): Promise<ScoreModelRow> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Creating a score model');
    if (!MODEL_KEY.test(input.key))
      throw InvalidInputError.field(
        ScoreModelErrorCode.InvalidScoreModel,
        'input.key',
        'a lower-case letter, then lower-case letters, digits, "-" or "_", 2 to 63 characters',
      );
    if (!input.name?.trim() || input.name.length > 100)
      throw InvalidInputError.field(ScoreModelErrorCode.InvalidScoreModel, 'input.name', 'must be 1 to 100 characters');
    if ((input.description ?? '').length > 2000)
      throw InvalidInputError.field(ScoreModelErrorCode.InvalidScoreModel, 'input.description', 'at most 2,000 characters');
    if (input.subject !== 'lead' && input.subject !== 'account')
      throw InvalidInputError.field(ScoreModelErrorCode.InvalidScoreModel, 'input.subject', 'must be LEAD or ACCOUNT');
    return this.dataSource.transaction(async (manager) => {
      const inserted: ScoreModelRow[] = await manager.query(
        `INSERT INTO score_model (key, subject, name, description) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
        [input.key, input.subject, input.name.trim(), input.description ?? ''],
      );
      if (!inserted[0])
        throw new ConflictError(ScoreModelErrorCode.ScoreModelExists, `A score model with key "${input.key}" already exists`, [
          { path: 'input.key', message: 'already taken' },
        ]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'score_model.created',
        entityType: 'score_model',
        entityId: input.key,
        summary: `Created ${input.subject} score model ${input.key}`,
        after: inserted[0],
        requestId: actor.requestId,
      });
      this.cache = null;
      return inserted[0];
    });
  }

  /**
   * The first draft of a new rule set of this model when the client gives none: the model's default
   * rule set's active definition; for a model without one, the default lead model's (lead models) or
   * rules/account-default.json (account models); null when there is nothing to copy.
   */
  async baseDefinition(manager: EntityManager, model: ScoreModelRow): Promise<RuleSetDefinition | null> {
    const own = await this.ruleSets.findForSegment(manager, null, model.key);
    if (own) return own.definition;
    if (model.subject === 'lead') return (await this.ruleSets.findForSegment(manager, null, 'default'))?.definition ?? null;
    const exists = await access(ACCOUNT_DEFAULT_RULE_SET_FILE).then(
      () => true,
      () => false,
    );
    return exists ? loadDefinitionFile(ACCOUNT_DEFAULT_RULE_SET_FILE) : null;
  }

  /**
   * The first draft of a new rule set of `model`: the client's definition, else a copy of
   * baseDefinition renamed to edit from. Its subject must be the model's (BAD_USER_INPUT otherwise).
   */
  async firstDefinition(model: ScoreModelRow, input: NewRuleSetInput): Promise<unknown> {
    let definition = input.definition;
    if (definition === undefined || definition === null) {
      const base = await this.baseDefinition(this.dataSource.manager, model);
      if (!base && model.subject === 'account')
        throw InvalidInputError.field(
          RuleSetErrorCode.InvalidRuleSet,
          'input.definition',
          `required: score model "${model.key}" has no rule set to copy and no account-default rule set is installed`,
        );
      definition = { ...(base ?? {}), key: input.key, name: input.name, description: input.description ?? '' };
    }
    const subject =
      definition !== null && typeof definition === 'object' ? ((definition as { subject?: unknown }).subject ?? 'lead') : 'lead';
    if (subject !== model.subject)
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        'input.definition.subject',
        `score model "${model.key}" scores ${model.subject}s: the definition's subject must be "${model.subject}"`,
      );
    return definition;
  }
}

/** BAD_USER_INPUT naming `path` unless `key` is a score model of leads (`leads(model:)`, `Lead.modelScore(model:)`). */
export async function requireLeadModel(manager: EntityManager, key: string, path: string): Promise<void> {
  const [row]: Array<{ subject: ScoreModelSubject }> =
    key.length <= 63 ? await manager.query('SELECT subject FROM score_model WHERE key = $1', [key]) : [];
  if (row?.subject === 'lead') return;
  throw InvalidInputError.field(
    ScoreModelErrorCode.ScoreModelNotFound,
    path,
    row ? `"${key}" is a score model of accounts; name a model of leads` : `no score model "${key.slice(0, 63)}"`,
  );
}
