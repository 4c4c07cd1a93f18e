import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, ForbiddenError, InvalidInputError } from '../common/errors';
import { checksumOf } from '../engine/canonical-json';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { diffDefinitions } from './ruleset-diff';
import type { RuleSetPublishingService } from './ruleset-publishing.service';
import { isReviewSide, RULE_SET_ROLES, requireRole } from './ruleset-roles';
import { checkSegmentClaims, checkSegmentList, lockRuleSets, segmentsOf, withoutSegments } from './ruleset-segments';
import {
  findRuleSet,
  findVersion,
  insertVersion,
  listRuleSets,
  type ReviewRow,
  reviewsOf,
  type RuleSetRow,
  transitionVersion,
  type VersionRow,
  versionsOf,
} from './ruleset-store';
import {
  type CatalogActivityType,
  type CatalogAttribute,
  checkRuleSetDefinition,
  isError,
  type RuleSetProblem,
} from './ruleset-validation';
import type { VersionStatus } from './ruleset-version.entity';
import { RuleSetErrorCode } from './ruleset.errors';
import type { RuleSetService } from './ruleset.service';
import { type NewRuleSetInput, ScoreModelService } from './score-models';

export type { ReviewRow, RuleSetRow, VersionRow } from './ruleset-store';

const EDITABLE: VersionStatus[] = ['draft', 'in_review', 'approved'];

const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * Rule sets as reviewed releases: drafts edited with optimistic concurrency, validated before they
 * are saved, reviewed by marketing and sales, published (immutable from then on) with a re-score of
 * every lead, rolled back as a new release. Every change is audited in its own transaction.
 * Publishing, rolling back and segments are RuleSetPublishingService's; they are here too so that
 * the workflow has one entry point.
 */
export class RuleSetWorkflowService {
  /** Score models, which rule sets belong to (app.ts hands it to the GraphQL resolver too). */
  readonly scoreModels: ScoreModelService;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly publishing: RuleSetPublishingService,
    private readonly audit: AuditService,
    /** The attribute catalog of a scope attribute facts are checked against (leads/ reads it; app.ts passes it in). */
    private readonly attributeCatalog: (scope: 'lead' | 'account') => Promise<ReadonlyMap<string, CatalogAttribute>>,
    /** The activity catalog activity facts are checked against (activities/ reads it; app.ts passes it in); built-in types when absent. */
    private readonly activityCatalog?: () => Promise<ReadonlyMap<string, CatalogActivityType>>,
  ) {
    this.scoreModels = new ScoreModelService(dataSource, ruleSets, audit);
  }

  // ---- reads ----

  listRuleSets(includeArchived = false): Promise<RuleSetRow[]> {
    return listRuleSets(this.dataSource.manager, includeArchived);
  }

  getRuleSet(key: string, manager: EntityManager = this.dataSource.manager): Promise<RuleSetRow> {
    return findRuleSet(manager, key);
  }

  versionsOf(ruleSetId: string): Promise<VersionRow[]> {
    return versionsOf(this.dataSource.manager, ruleSetId);
  }

  getVersion(versionId: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<VersionRow> {
    return findVersion(manager, versionId, lock);
  }

  reviewsOf(versionId: string): Promise<ReviewRow[]> {
    return reviewsOf(this.dataSource.manager, versionId);
  }

  /** Validates a definition for a rule set (schema, meaning, attribute catalog, matching key). */
  async validate(definition: unknown, ruleSetKey?: string): Promise<RuleSetProblem[]> {
    const [attributes, accountAttributes, activityTypes] = await Promise.all([
      this.attributeCatalog('lead'),
      this.attributeCatalog('account'),
      this.activityCatalog?.(),
    ]);
    const problems = checkRuleSetDefinition(definition, { attributes, accountAttributes, activityTypes });
    if (ruleSetKey && !problems.some(isError) && (definition as RuleSetDefinition).key !== ruleSetKey) {
      problems.push({ path: 'key', message: `must be "${ruleSetKey}", the key of the rule set this version belongs to` });
    }
    const checked = ruleSetKey && !problems.some(isError);
    const mismatch = checked ? await this.scoreModels.subjectMismatch(ruleSetKey, definition as RuleSetDefinition) : null;
    if (mismatch) problems.push(mismatch);
    return problems;
  }

  private async requireValid(definition: unknown, ruleSetKey: string, path = 'definition'): Promise<RuleSetDefinition> {
    const errors = (await this.validate(definition, ruleSetKey)).filter(isError);
    if (errors.length) {
      throw InvalidInputError.of(
        RuleSetErrorCode.InvalidRuleSet,
        errors.map(({ path: at, message, suggestion }) => ({
          path: `${path}.${at}`.replace(/\.\(root\)$/, ''),
          message,
          ...(suggestion === undefined ? {} : { suggestion }),
        })),
      );
    }
    return withoutSegments(definition as RuleSetDefinition);
  }

  // ---- editing ----

  async createRuleSet(actor: Actor, input: NewRuleSetInput): Promise<{ ruleSet: RuleSetRow; draft: VersionRow }> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Creating a rule set');
    if (!KEY_PATTERN.test(input.key))
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        'input.key',
        'lower-case letters, digits and hyphens, 2 to 63 characters',
      );
    if (!input.name?.trim() || input.name.length > 100)
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input.name', 'must be 1 to 100 characters');
    const model = await this.scoreModels.require(input.model ?? 'default', 'input.model');
    const definition = await this.scoreModels.firstDefinition(model, input);
    // A rule set file's segments apply when the input gives none.
    const segments = input.segments ?? segmentsOf(definition) ?? [];
    const valid = await this.requireValid(definition, input.key, 'input.definition');
    checkSegmentList(segments, 'input.segments');
    return this.dataSource.transaction(async (manager) => {
      if (segments.length) {
        await lockRuleSets(manager);
        await checkSegmentClaims(
          manager,
          { id: '0', key: input.key, model: model.key, isDefault: false, segments: [] },
          segments,
          'input.segments',
        );
      }
      // The first rule set of a model is its default (it scores every subject no other claims).
      await manager.query('SELECT key FROM score_model WHERE key = $1 FOR UPDATE', [model.key]);
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO rule_set (key, name, description, segments, model, is_default)
         VALUES ($1, $2, $3, $4::text[], $5, NOT EXISTS (SELECT 1 FROM rule_set WHERE model = $5))
         ON CONFLICT (key) DO NOTHING RETURNING id::text AS id`,
        [input.key, input.name, input.description ?? '', segments, model.key],
      );
      if (!inserted.length)
        throw new ConflictError(RuleSetErrorCode.RuleSetExists, `A rule set with key "${input.key}" already exists`, [
          { path: 'input.key', message: 'already taken' },
        ]);
      const draft = await insertVersion(manager, inserted[0].id, valid, actor, null, '');
      const ruleSet = await this.getRuleSet(input.key, manager);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'rule_set.created',
        entityType: 'rule_set',
        entityId: ruleSet.id,
        summary: `Created rule set ${input.key} with draft v${draft.version}`,
        after: { ...ruleSet, draftVersionId: draft.id },
        requestId: actor.requestId,
      });
      return { ruleSet, draft };
    });
  }

  /** A new draft: from a definition (typed or from a file), or as a copy of any version. */
  async createDraft(
    actor: Actor,
    input: { ruleSetKey: string; definition?: unknown; copyOfVersionId?: string | null; note?: string | null },
    /** More writes that belong with the new draft (its evidence...): they commit with it or not at all. */
    alongside?: (manager: EntityManager, draft: VersionRow) => Promise<void>,
  ): Promise<VersionRow> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Creating a draft');
    const ruleSet = await this.getRuleSet(input.ruleSetKey);
    if (ruleSet.archivedAt) throw new ConflictError(RuleSetErrorCode.Archived, `Rule set "${ruleSet.key}" is archived`);
    if ((input.definition == null) === (input.copyOfVersionId == null)) {
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input', 'give exactly one of definition or copyOfVersionId');
    }
    let definition: unknown = input.definition;
    let basedOn: string | null = null;
    if (input.copyOfVersionId != null) {
      const source = await this.getVersion(input.copyOfVersionId);
      if (source.ruleSetId !== ruleSet.id)
        throw InvalidInputError.field(
          RuleSetErrorCode.InvalidRuleSet,
          'input.copyOfVersionId',
          `version ${input.copyOfVersionId} belongs to rule set "${source.ruleSetKey}"`,
        );
      definition = source.definition;
      basedOn = source.id;
    } else {
      basedOn = ruleSet.activeVersionId;
    }
    const valid = await this.requireValid(definition, ruleSet.key, 'input.definition');
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT id FROM rule_set WHERE id = $1::bigint FOR UPDATE', [ruleSet.id]); // numbers versions one at a time
      const draft = await insertVersion(manager, ruleSet.id, valid, actor, basedOn, input.note ?? '');
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'version.draft_created',
        entityType: 'rule_set_version',
        entityId: draft.id,
        summary: `Draft v${draft.version} of ${ruleSet.key}${basedOn ? ` based on version id ${basedOn}` : ''}`,
        after: { definition: valid },
        requestId: actor.requestId,
      });
      await alongside?.(manager, draft);
      return draft;
    });
  }

  /**
   * Saves a draft's new definition if `expectedRevision` is still current; otherwise CONFLICT and
   * nothing changes. Editing a version in review or approved sends it back to draft and voids its sign-offs.
   */
  async saveDraft(
    actor: Actor,
    input: { versionId: string; definition: unknown; expectedRevision: number; note?: string | null },
  ): Promise<VersionRow> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Editing a draft');
    const current = await this.getVersion(input.versionId);
    const valid = await this.requireValid(input.definition, current.ruleSetKey, 'input.definition');
    return this.dataSource.transaction(async (manager) => {
      const before = await this.getVersion(input.versionId, manager, true);
      if (!EDITABLE.includes(before.status)) {
        throw new ConflictError(
          RuleSetErrorCode.ImmutableVersion,
          `Version ${before.version} of "${before.ruleSetKey}" is ${before.status} and can no longer change; create a draft from it`,
        );
      }
      if (before.revision !== input.expectedRevision) {
        throw new ConflictError(
          RuleSetErrorCode.StaleRevision,
          `Version ${before.version} was changed by someone else (revision ${before.revision}, you edited revision ${input.expectedRevision}); reload it and apply your change again`,
          [{ path: 'input.expectedRevision', message: `current revision is ${before.revision}` }],
        );
      }
      await manager.query(
        `UPDATE rule_set_version SET definition = $2::json, checksum = $3, revision = revision + 1, status = 'draft',
                editors = CASE WHEN $4 = ANY(editors) THEN editors ELSE editors || $4 END,
                note = coalesce($5, note), submitted_at = NULL, submitted_by = NULL, approved_at = NULL, updated_at = now()
          WHERE id = $1::bigint`,
        [before.id, JSON.stringify(valid), checksumOf(valid), actor.name, input.note ?? null],
      );
      if (before.status !== 'draft') {
        await manager.query('UPDATE rule_set_review SET voided_at = now() WHERE version_id = $1::bigint AND voided_at IS NULL', [
          before.id,
        ]);
      }
      const after = await this.getVersion(before.id, manager);
      const diff = diffDefinitions(before.definition, after.definition);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'version.saved',
        entityType: 'rule_set_version',
        entityId: before.id,
        summary: `Saved v${before.version} of ${before.ruleSetKey} (revision ${after.revision})${before.status !== 'draft' ? `; back to draft from ${before.status}` : ''}`,
        before: { status: before.status, revision: before.revision, definition: before.definition },
        after: { status: after.status, revision: after.revision, definition: after.definition },
        diff,
        requestId: actor.requestId,
      });
      return after;
    });
  }

  // ---- review ----

  async submitForReview(actor: Actor, versionId: string): Promise<VersionRow> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Submitting for review');
    return transitionVersion(this.dataSource, versionId, ['draft'], 'submit', async (manager, version) => {
      await manager.query(
        `UPDATE rule_set_version SET status = 'in_review', submitted_at = now(), submitted_by = $2, updated_at = now() WHERE id = $1::bigint`,
        [version.id, actor.name],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'version.submitted',
        entityType: 'rule_set_version',
        entityId: version.id,
        summary: `Submitted v${version.version} of ${version.ruleSetKey} for review`,
        before: { status: version.status },
        after: { status: 'in_review' },
        requestId: actor.requestId,
      });
    });
  }

  /** A sign-off (or a request for changes) from the reviewer's side: marketing or sales, never by an author. */
  async review(actor: Actor, input: { versionId: string; approve: boolean; comment?: string | null }): Promise<VersionRow> {
    if (!isReviewSide(actor.role)) {
      throw new ForbiddenError(
        RuleSetErrorCode.NotAReviewer,
        'Only a marketing or a sales user signs off a rule set version (for their side)',
      );
    }
    if ((input.comment ?? '').length > 2000)
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input.comment', 'at most 2000 characters');
    const side = actor.role;
    return transitionVersion(
      this.dataSource,
      input.versionId,
      ['in_review'],
      input.approve ? 'approve' : 'send back',
      async (manager, version) => {
        if (version.editors.includes(actor.name)) {
          throw new ForbiddenError(
            RuleSetErrorCode.SelfApproval,
            `You edited version ${version.version} of "${version.ruleSetKey}"; someone else on the ${side} side must review it`,
          );
        }
        await manager.query(
          `INSERT INTO rule_set_review (version_id, side, decision, reviewer, comment, revision) VALUES ($1::bigint, $2, $3, $4, $5, $6)`,
          [version.id, side, input.approve ? 'approved' : 'changes_requested', actor.name, input.comment ?? '', version.revision],
        );
        let status: VersionStatus = 'in_review';
        if (!input.approve) {
          status = 'draft';
          await manager.query('UPDATE rule_set_review SET voided_at = now() WHERE version_id = $1::bigint AND voided_at IS NULL', [
            version.id,
          ]);
          await manager.query(
            `UPDATE rule_set_version SET status = 'draft', submitted_at = NULL, updated_at = now() WHERE id = $1::bigint`,
            [version.id],
          );
        } else {
          const [{ sides }]: Array<{ sides: string[] }> = await manager.query(
            `SELECT coalesce(array_agg(DISTINCT side), '{}') AS sides FROM rule_set_review
            WHERE version_id = $1::bigint AND decision = 'approved' AND voided_at IS NULL`,
            [version.id],
          );
          if (sides.includes('marketing') && sides.includes('sales')) {
            status = 'approved';
            await manager.query(
              `UPDATE rule_set_version SET status = 'approved', approved_at = now(), updated_at = now() WHERE id = $1::bigint`,
              [version.id],
            );
          }
        }
        await this.audit.record(manager, {
          actor: actor.name,
          action: input.approve ? 'version.approved' : 'version.changes_requested',
          entityType: 'rule_set_version',
          entityId: version.id,
          summary: `${side} ${input.approve ? 'approved' : 'sent back'} v${version.version} of ${version.ruleSetKey}${input.comment ? `: ${input.comment}` : ''}`,
          before: { status: version.status },
          after: { status, side, comment: input.comment ?? '' },
          requestId: actor.requestId,
        });
      },
    );
  }

  // ---- publishing ----

  publish(actor: Actor, versionId: string): Promise<{ version: VersionRow; jobId: string }> {
    return this.publishing.publish(actor, versionId);
  }

  rollback(actor: Actor, input: { ruleSetKey: string; toVersionId: string }): Promise<{ version: VersionRow; jobId: string }> {
    return this.publishing.rollback(actor, input);
  }

  setSegments(actor: Actor, input: { key: string; segments: string[] }): Promise<{ ruleSet: RuleSetRow; jobId: string | null }> {
    return this.publishing.setSegments(actor, input);
  }

  // ---- archiving ----

  async archiveRuleSet(actor: Actor, key: string): Promise<RuleSetRow> {
    requireRole(actor, RULE_SET_ROLES.archive, 'Archiving a rule set');
    return this.dataSource.transaction(async (manager) => {
      const ruleSet = await this.getRuleSet(key, manager);
      if (ruleSet.isDefault)
        throw new ConflictError(
          RuleSetErrorCode.CannotArchiveDefault,
          `"${key}" is the default rule set; it scores every lead no other rule set claims and cannot be archived`,
        );
      if (ruleSet.archivedAt) return ruleSet;
      await manager.query('UPDATE rule_set SET archived_at = now(), updated_at = now() WHERE id = $1::bigint', [ruleSet.id]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'rule_set.archived',
        entityType: 'rule_set',
        entityId: ruleSet.id,
        summary: `Archived rule set ${key}`,
        before: { archivedAt: null },
        after: { archivedAt: new Date() },
        requestId: actor.requestId,
      });
      this.ruleSets.invalidate();
      return this.getRuleSet(key, manager);
    });
  }
}
