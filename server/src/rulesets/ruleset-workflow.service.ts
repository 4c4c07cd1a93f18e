import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { checksumOf } from '../engine/canonical-json';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/errors';
import type { AttributeSpec } from '../leads/attribute-catalog';
import type { RescoreService } from '../rescore/rescore.service';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import type { Actor } from '../auth/actor';
import { diffDefinitions } from './ruleset-diff';
import { RuleSetErrorCode } from './ruleset.errors';
import type { RuleSetService } from './ruleset.service';
import type { VersionStatus } from './ruleset-version.entity';
import { validateRuleSetDefinition } from './ruleset-validation';

export interface RuleSetRow {
  id: string;
  key: string;
  name: string;
  description: string;
  isDefault: boolean;
  segments: string[];
  activeVersionId: string | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionRow {
  id: string;
  ruleSetId: string;
  ruleSetKey: string;
  version: number;
  status: VersionStatus;
  definition: RuleSetDefinition;
  checksum: string;
  revision: number;
  createdBy: string | null;
  editors: string[];
  note: string;
  basedOnVersionId: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  submittedBy: string | null;
  approvedAt: Date | null;
  publishedAt: Date | null;
  publishedBy: string | null;
  retiredAt: Date | null;
}

export interface ReviewRow {
  id: string;
  versionId: string;
  side: 'marketing' | 'sales';
  decision: 'approved' | 'changes_requested';
  reviewer: string;
  comment: string;
  revision: number;
  voided: boolean;
  createdAt: Date;
}

export interface WorkflowConfig {
  /** Roles allowed to publish and roll back (admin by default). */
  publishRoles: string[];
}

const VERSION_COLUMNS = `v.id::text AS id, v.rule_set_id::text AS "ruleSetId", rs.key AS "ruleSetKey", v.version, v.status,
  v.definition, v.checksum, v.revision, v.created_by AS "createdBy", v.editors, v.note,
  v.based_on_version_id::text AS "basedOnVersionId", v.created_at AS "createdAt", v.updated_at AS "updatedAt",
  v.submitted_at AS "submittedAt", v.submitted_by AS "submittedBy", v.approved_at AS "approvedAt",
  v.published_at AS "publishedAt", v.published_by AS "publishedBy", v.retired_at AS "retiredAt"`;

const RULE_SET_COLUMNS = `rs.id::text AS id, rs.key, rs.name, rs.description, rs.is_default AS "isDefault", rs.segments,
  rs.active_version_id::text AS "activeVersionId", rs.archived_at AS "archivedAt", rs.created_at AS "createdAt", rs.updated_at AS "updatedAt"`;

const EDITABLE: VersionStatus[] = ['draft', 'in_review', 'approved'];
/** Bounds of a rule set's segment list (a lead's segment is at most 200 characters too). */
const MAX_SEGMENTS = 100;
const MAX_SEGMENT_LENGTH = 200;

const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Shape of a segment list: bounded, no blank, padded or repeated segment. */
function checkSegmentList(segments: string[], path: string): void {
  const problems: import('../common/errors').Problem[] = [];
  if (segments.length > MAX_SEGMENTS) problems.push({ path, message: `at most ${MAX_SEGMENTS} segments, got ${segments.length}` });
  const seen = new Set<string>();
  segments.slice(0, MAX_SEGMENTS).forEach((segment, index) => {
    if (segment.trim() === '' || segment !== segment.trim() || segment.length > MAX_SEGMENT_LENGTH)
      problems.push({
        path: `${path}[${index}]`,
        message: `must be 1 to ${MAX_SEGMENT_LENGTH} characters, without leading or trailing spaces`,
      });
    else if (seen.has(segment)) problems.push({ path: `${path}[${index}]`, message: `"${segment}" is listed twice` });
    seen.add(segment);
  });
  if (problems.length) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
}

/**
 * A rule set file may list the segments its rule set scores; they belong to the rule set (set with
 * setSegments, which re-scores the leads that move), not to a version, so versions are stored without them.
 */
function withoutSegments(definition: RuleSetDefinition): RuleSetDefinition {
  if (!('segments' in definition)) return definition;
  const { segments: _segments, ...rest } = definition as RuleSetDefinition & { segments?: unknown };
  return rest as RuleSetDefinition;
}

function segmentsOf(definition: unknown): string[] | null {
  const segments = definition !== null && typeof definition === 'object' ? (definition as { segments?: unknown }).segments : undefined;
  return Array.isArray(segments) && segments.every((s) => typeof s === 'string') ? (segments as string[]) : null;
}

/** Every rule set's row, in id order: two changes cannot claim the same segment at once. */
async function lockRuleSets(manager: EntityManager): Promise<void> {
  await manager.query('SELECT id FROM rule_set ORDER BY id FOR UPDATE');
}

function requireRole(actor: Actor, roles: string[], action: string): void {
  if (actor.role === 'admin' || (actor.role && roles.includes(actor.role))) return;
  throw new ForbiddenError(
    'FORBIDDEN_ROLE',
    `${action} needs the role ${['admin', ...roles].join(' or ')}; you are ${actor.role ?? 'not a user'}`,
  );
}

/**
 * Rule sets as reviewed releases: drafts edited with optimistic concurrency, validated before they
 * are saved, reviewed by marketing and sales, published (immutable from then on) with a re-score of
 * every lead, rolled back as a new release. Every change is audited in its own transaction.
 */
export class RuleSetWorkflowService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly rescore: RescoreService,
    private readonly audit: AuditService,
    private readonly attributeCatalog: () => Promise<Map<string, AttributeSpec>>,
    private readonly config: WorkflowConfig,
  ) {}

  // ---- reads ----

  async listRuleSets(includeArchived = false): Promise<RuleSetRow[]> {
    return this.dataSource.query(
      `SELECT ${RULE_SET_COLUMNS} FROM rule_set rs ${includeArchived ? '' : 'WHERE rs.archived_at IS NULL'} ORDER BY rs.is_default DESC, rs.key`,
    );
  }

  async getRuleSet(key: string, manager: EntityManager = this.dataSource.manager): Promise<RuleSetRow> {
    const [row]: RuleSetRow[] = await manager.query(`SELECT ${RULE_SET_COLUMNS} FROM rule_set rs WHERE rs.key = $1`, [key]);
    if (!row)
      throw new NotFoundError(RuleSetErrorCode.RuleSetNotFound, `No rule set with key "${key}"`, [
        { path: 'ruleSetKey', message: 'no such rule set' },
      ]);
    return row;
  }

  async versionsOf(ruleSetId: string): Promise<VersionRow[]> {
    return this.dataSource.query(
      `SELECT ${VERSION_COLUMNS} FROM rule_set_version v JOIN rule_set rs ON rs.id = v.rule_set_id WHERE v.rule_set_id = $1::bigint ORDER BY v.version DESC`,
      [ruleSetId],
    );
  }

  async getVersion(versionId: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<VersionRow> {
    const rows: VersionRow[] = /^\d{1,18}$/.test(versionId)
      ? await manager.query(
          `SELECT ${VERSION_COLUMNS} FROM rule_set_version v JOIN rule_set rs ON rs.id = v.rule_set_id WHERE v.id = $1::bigint ${lock ? 'FOR UPDATE OF v' : ''}`,
          [versionId],
        )
      : [];
    if (!rows[0])
      throw new NotFoundError(RuleSetErrorCode.VersionNotFound, `No rule set version with id "${versionId}"`, [
        { path: 'versionId', message: 'no such version' },
      ]);
    return rows[0];
  }

  async reviewsOf(versionId: string): Promise<ReviewRow[]> {
    await this.getVersion(versionId); // NOT_FOUND for an unknown (or malformed) id, as for every other version lookup
    return this.dataSource.query(
      `SELECT id::text AS id, version_id::text AS "versionId", side, decision, reviewer, comment, revision,
              voided_at IS NOT NULL AS voided, created_at AS "createdAt"
         FROM rule_set_review WHERE version_id = $1::bigint ORDER BY rule_set_review.id`,
      [versionId],
    );
  }

  /** Validates a definition for a rule set (schema, meaning, attribute catalog, matching key). */
  async validate(definition: unknown, ruleSetKey?: string): Promise<import('../common/errors').Problem[]> {
    const problems = validateRuleSetDefinition(definition, { attributes: await this.attributeCatalog() });
    if (ruleSetKey && problems.length === 0 && (definition as RuleSetDefinition).key !== ruleSetKey) {
      problems.push({ path: 'key', message: `must be "${ruleSetKey}", the key of the rule set this version belongs to` });
    }
    return problems;
  }

  private async requireValid(definition: unknown, ruleSetKey: string, path = 'definition'): Promise<RuleSetDefinition> {
    const problems = await this.validate(definition, ruleSetKey);
    if (problems.length) {
      throw InvalidInputError.of(
        RuleSetErrorCode.InvalidRuleSet,
        problems.map((problem) => ({ path: `${path}.${problem.path}`.replace(/\.\(root\)$/, ''), message: problem.message })),
      );
    }
    return withoutSegments(definition as RuleSetDefinition);
  }

  // ---- editing ----

  async createRuleSet(
    actor: Actor,
    input: { key: string; name: string; description?: string | null; segments?: string[] | null; definition?: unknown },
  ): Promise<{ ruleSet: RuleSetRow; draft: VersionRow }> {
    requireRole(actor, ['marketing'], 'Creating a rule set');
    if (!KEY_PATTERN.test(input.key))
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        'input.key',
        'lower-case letters, digits and hyphens, 2 to 63 characters',
      );
    if (!input.name?.trim() || input.name.length > 100)
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input.name', 'must be 1 to 100 characters');
    let definition = input.definition;
    if (definition === undefined || definition === null) {
      // From scratch: a copy of the default rule set's active model, renamed, to edit from.
      const base = (await this.ruleSets.activeRuleSets(this.dataSource.manager)).find((ruleSet) => ruleSet.isDefault);
      definition = { ...(base?.definition ?? {}), key: input.key, name: input.name, description: input.description ?? '' };
    }
    // A rule set file's segments apply when the input gives none.
    const segments = input.segments ?? segmentsOf(definition) ?? [];
    const valid = await this.requireValid(definition, input.key, 'input.definition');
    checkSegmentList(segments, 'input.segments');
    return this.dataSource.transaction(async (manager) => {
      if (segments.length) {
        await lockRuleSets(manager);
        await this.checkSegmentClaims(manager, { id: '0', key: input.key, isDefault: false, segments: [] }, segments, 'input.segments');
      }
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO rule_set (key, name, description, segments) VALUES ($1, $2, $3, $4::text[])
         ON CONFLICT (key) DO NOTHING RETURNING id::text AS id`,
        [input.key, input.name, input.description ?? '', segments],
      );
      if (!inserted.length)
        throw new ConflictError(RuleSetErrorCode.RuleSetExists, `A rule set with key "${input.key}" already exists`, [
          { path: 'input.key', message: 'already taken' },
        ]);
      const draft = await this.insertVersion(manager, inserted[0].id, valid, actor, null, '');
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

  private async insertVersion(
    manager: EntityManager,
    ruleSetId: string,
    definition: RuleSetDefinition,
    actor: Actor,
    basedOn: string | null,
    note: string,
    status: VersionStatus = 'draft',
  ): Promise<VersionRow> {
    const [row]: Array<{ id: string }> = await manager.query(
      `INSERT INTO rule_set_version (rule_set_id, version, status, definition, checksum, created_by, editors, based_on_version_id, note)
       SELECT $1::bigint, coalesce(max(version), 0) + 1, $2, $3::json, $4, $5, ARRAY[$5]::text[], $6::bigint, $7
         FROM rule_set_version WHERE rule_set_id = $1::bigint
       RETURNING id::text AS id`,
      [ruleSetId, status, JSON.stringify(definition), checksumOf(definition), actor.name, basedOn, note],
    );
    return this.getVersion(row.id, manager);
  }

  /** A new draft: from a definition (typed or from a file), or as a copy of any version. */
  async createDraft(
    actor: Actor,
    input: { ruleSetKey: string; definition?: unknown; copyOfVersionId?: string | null; note?: string | null },
    /** More writes that belong with the new draft (its evidence...): they commit with it or not at all. */
    alongside?: (manager: EntityManager, draft: VersionRow) => Promise<void>,
  ): Promise<VersionRow> {
    requireRole(actor, ['marketing'], 'Creating a draft');
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
      const draft = await this.insertVersion(manager, ruleSet.id, valid, actor, basedOn, input.note ?? '');
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
    requireRole(actor, ['marketing'], 'Editing a draft');
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

  private async transition(
    _actor: Actor,
    versionId: string,
    allowedFrom: VersionStatus[],
    action: string,
    run: (manager: EntityManager, version: VersionRow) => Promise<void>,
  ): Promise<VersionRow> {
    return this.dataSource.transaction(async (manager) => {
      const version = await this.getVersion(versionId, manager, true);
      if (!allowedFrom.includes(version.status)) {
        throw new ConflictError(
          RuleSetErrorCode.IllegalTransition,
          `Cannot ${action} version ${version.version} of "${version.ruleSetKey}": it is ${version.status} (needs ${allowedFrom.join(' or ')})`,
        );
      }
      await run(manager, version);
      return this.getVersion(versionId, manager);
    });
  }

  async submitForReview(actor: Actor, versionId: string): Promise<VersionRow> {
    requireRole(actor, ['marketing'], 'Submitting for review');
    return this.transition(actor, versionId, ['draft'], 'submit', async (manager, version) => {
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
    if (actor.role !== 'marketing' && actor.role !== 'sales') {
      throw new ForbiddenError(
        RuleSetErrorCode.NotAReviewer,
        'Only a marketing or a sales user signs off a rule set version (for their side)',
      );
    }
    if ((input.comment ?? '').length > 2000)
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'input.comment', 'at most 2000 characters');
    const side = actor.role;
    return this.transition(actor, input.versionId, ['in_review'], input.approve ? 'approve' : 'send back', async (manager, version) => {
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
        await manager.query(`UPDATE rule_set_version SET status = 'draft', submitted_at = NULL, updated_at = now() WHERE id = $1::bigint`, [
          version.id,
        ]);
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
    });
  }

  // ---- publishing ----

  private requirePublisher(actor: Actor, action: string): void {
    if (actor.role && (actor.role === 'admin' || this.config.publishRoles.includes(actor.role))) return;
    throw new ForbiddenError(
      RuleSetErrorCode.NotAllowedToPublish,
      `${action} needs the role ${this.config.publishRoles.join(' or ')}; you are ${actor.role ?? 'not a user'}`,
    );
  }

  private async activate(manager: EntityManager, actor: Actor, version: VersionRow, summary: string, action: string): Promise<string> {
    const ruleSet = await this.getRuleSet(version.ruleSetKey, manager);
    await manager.query(
      `UPDATE rule_set_version SET status = 'retired', retired_at = now() WHERE rule_set_id = $1::bigint AND status = 'published'`,
      [ruleSet.id],
    );
    await manager.query(
      `UPDATE rule_set_version SET status = 'published', published_at = now(), published_by = $2, updated_at = now() WHERE id = $1::bigint`,
      [version.id, actor.name],
    );
    await manager.query('UPDATE rule_set SET active_version_id = $2::bigint, updated_at = now() WHERE id = $1::bigint', [
      ruleSet.id,
      version.id,
    ]);
    const others: Array<{ segments: string[] }> = await manager.query(
      'SELECT segments FROM rule_set WHERE id <> $1::bigint AND archived_at IS NULL AND active_version_id IS NOT NULL',
      [ruleSet.id],
    );
    const jobId = await this.rescore.createJob(manager, {
      ruleSetId: ruleSet.id,
      versionId: version.id,
      createdBy: actor.name,
      isDefault: ruleSet.isDefault,
      segments: ruleSet.segments,
      claimedSegments: others.flatMap((other) => other.segments),
    });
    const previous = ruleSet.activeVersionId ? await this.getVersion(ruleSet.activeVersionId, manager) : null;
    await this.audit.record(manager, {
      actor: actor.name,
      action,
      entityType: 'rule_set_version',
      entityId: version.id,
      summary,
      before: previous ? { activeVersion: previous.version, checksum: previous.checksum } : null,
      after: { activeVersion: version.version, checksum: version.checksum, rescoreJobId: jobId },
      diff: previous ? diffDefinitions(previous.definition, version.definition) : undefined,
      requestId: actor.requestId,
    });
    return jobId;
  }

  /** Publishes an approved version: it becomes active and immutable, and a job re-scores every lead. */
  async publish(actor: Actor, versionId: string): Promise<{ version: VersionRow; jobId: string }> {
    this.requirePublisher(actor, 'Publishing');
    let jobId = '';
    const version = await this.transition(actor, versionId, ['approved'], 'publish', async (manager, v) => {
      jobId = await this.activate(manager, actor, v, `Published v${v.version} of ${v.ruleSetKey}`, 'version.published');
    });
    this.ruleSets.invalidate();
    await this.rescore.dispatch(jobId);
    return { version, jobId };
  }

  /** Republishes an earlier version's definition as a new release (it was reviewed when first published). */
  async rollback(actor: Actor, input: { ruleSetKey: string; toVersionId: string }): Promise<{ version: VersionRow; jobId: string }> {
    this.requirePublisher(actor, 'Rolling back');
    const ruleSet = await this.getRuleSet(input.ruleSetKey);
    const target = await this.getVersion(input.toVersionId);
    if (target.ruleSetId !== ruleSet.id)
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        'input.toVersionId',
        `version belongs to rule set "${target.ruleSetKey}"`,
      );
    if (!target.publishedAt)
      throw new ConflictError(
        RuleSetErrorCode.IllegalTransition,
        `Version ${target.version} was never published; only a published version can be rolled back to`,
      );
    if (target.id === ruleSet.activeVersionId)
      throw new ConflictError(RuleSetErrorCode.IllegalTransition, `Version ${target.version} is already the active version`);
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT id FROM rule_set WHERE id = $1::bigint FOR UPDATE', [ruleSet.id]);
      const release = await this.insertVersion(
        manager,
        ruleSet.id,
        target.definition,
        actor,
        target.id,
        `Rollback to v${target.version}`,
        'approved',
      );
      const jobId = await this.activate(
        manager,
        actor,
        release,
        `Rolled ${ruleSet.key} back to v${target.version} as v${release.version}`,
        'version.rolled_back',
      );
      return { version: await this.getVersion(release.id, manager), jobId };
    });
    this.ruleSets.invalidate();
    await this.rescore.dispatch(result.jobId);
    return result;
  }

  // ---- segments ----

  /**
   * Sets the lead segments a rule set scores. None may be claimed by another rule set (archived ones
   * aside); the default rule set takes none (it scores every lead no other rule set claims). When the rule set is active, the leads of every segment that changed
   * hands are re-scored by a job, each by the rule set that now scores it, so none stays on the wrong one.
   */
  async setSegments(actor: Actor, input: { key: string; segments: string[] }): Promise<{ ruleSet: RuleSetRow; jobId: string | null }> {
    requireRole(actor, ['marketing'], 'Setting a rule set’s segments');
    const segments = input.segments;
    checkSegmentList(segments, 'segments');
    const result = await this.dataSource.transaction(async (manager) => {
      await lockRuleSets(manager);
      const ruleSet = await this.getRuleSet(input.key, manager);
      if (ruleSet.archivedAt) throw new ConflictError(RuleSetErrorCode.Archived, `Rule set "${ruleSet.key}" is archived`);
      await this.checkSegmentClaims(manager, ruleSet, segments, 'segments');

      const moved = [...segments.filter((s) => !ruleSet.segments.includes(s)), ...ruleSet.segments.filter((s) => !segments.includes(s))];
      if (!moved.length) return { ruleSet, jobId: null };
      await manager.query('UPDATE rule_set SET segments = $2::text[], updated_at = now() WHERE id = $1::bigint', [ruleSet.id, segments]);
      let jobId: string | null = null;
      if (ruleSet.activeVersionId) {
        jobId = await this.rescore.createJob(manager, {
          ruleSetId: ruleSet.id,
          versionId: ruleSet.activeVersionId,
          createdBy: actor.name,
          isDefault: false,
          segments,
          claimedSegments: [],
          movedSegments: moved,
        });
      }
      const after = await this.getRuleSet(input.key, manager);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'rule_set.segments_set',
        entityType: 'rule_set',
        entityId: ruleSet.id,
        summary: `Segments of ${ruleSet.key}: ${segments.length ? segments.join(', ') : 'none'}${jobId ? ` (re-scoring leads of ${moved.join(', ')})` : ''}`,
        before: { segments: ruleSet.segments },
        after: { segments, rescoreJobId: jobId },
        requestId: actor.requestId,
      });
      return { ruleSet: after, jobId };
    });
    this.ruleSets.invalidate();
    if (result.jobId) await this.rescore.dispatch(result.jobId);
    return result;
  }

  /**
   * Refuses segments for the default rule set, and segments another rule set claims. A segment no
   * lead has yet is accepted: a rule set may be set up before its leads are imported.
   */
  private async checkSegmentClaims(
    manager: EntityManager,
    ruleSet: Pick<RuleSetRow, 'id' | 'key' | 'isDefault' | 'segments'>,
    segments: string[],
    path: string,
  ): Promise<void> {
    if (ruleSet.isDefault && segments.length) {
      throw InvalidInputError.field(
        RuleSetErrorCode.InvalidRuleSet,
        path,
        `"${ruleSet.key}" is the default rule set: it scores every lead no other rule set claims and takes no segments`,
      );
    }
    const claims: Array<{ key: string; segment: string }> = await manager.query(
      'SELECT rs.key, s.segment FROM rule_set rs, unnest(rs.segments) AS s(segment) WHERE rs.id <> $1::bigint AND rs.archived_at IS NULL AND s.segment = ANY($2::text[])',
      [ruleSet.id, segments],
    );
    const problems: import('../common/errors').Problem[] = [];
    for (const [index, segment] of segments.entries()) {
      const claim = claims.find((row) => row.segment === segment);
      if (claim)
        problems.push({ path: `${path}[${index}]`, message: `"${segment}" is scored by rule set "${claim.key}"; remove it there first` });
    }
    if (problems.length) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
  }

  async archiveRuleSet(actor: Actor, key: string): Promise<RuleSetRow> {
    requireRole(actor, [], 'Archiving a rule set');
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
