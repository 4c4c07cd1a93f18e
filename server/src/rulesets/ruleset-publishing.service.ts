import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, ForbiddenError, InvalidInputError } from '../common/errors';
import type { RescoreJobRequest, RescoreScheduler } from './rescore-scheduler';
import { diffDefinitions } from './ruleset-diff';
import { RULE_SET_ROLES, requireRole } from './ruleset-roles';
import { checkSegmentClaims, checkSegmentList, lockRuleSets } from './ruleset-segments';
import { findRuleSet, findVersion, insertVersion, type RuleSetRow, transitionVersion, type VersionRow } from './ruleset-store';
import { RuleSetErrorCode } from './ruleset.errors';
import type { RuleSetService } from './ruleset.service';

export interface PublishingConfig {
  /** Roles allowed to publish and roll back (admin by default). */
  publishRoles: string[];
}

/**
 * What changes which version scores which leads: publishing, rolling back and setting a rule set's
 * segments. Each commits a re-score job with its change and dispatches it after the commit.
 */
export class RuleSetPublishingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly rescore: RescoreScheduler,
    private readonly audit: AuditService,
    private readonly config: PublishingConfig,
  ) {}

  private requirePublisher(actor: Actor, action: string): void {
    // Configuration, not the role table: PUBLISH_ROLES may name any role.
    if (actor.role && (actor.role === 'admin' || this.config.publishRoles.includes(actor.role))) return;
    throw new ForbiddenError(
      RuleSetErrorCode.NotAllowedToPublish,
      `${action} needs the role ${this.config.publishRoles.join(' or ')}; you are ${actor.role ?? 'not a user'}`,
    );
  }

  /** A rule set of a non-default model: its job re-scores that model over its subject (none for the default model). */
  private async modelOf(manager: EntityManager, ruleSet: RuleSetRow): Promise<Pick<RescoreJobRequest, 'model' | 'subject'>> {
    if (ruleSet.model === 'default') return {};
    const [model]: Array<{ subject: 'lead' | 'account' }> = await manager.query('SELECT subject FROM score_model WHERE key = $1', [
      ruleSet.model,
    ]);
    return { model: ruleSet.model, subject: model.subject };
  }

  private async activate(manager: EntityManager, actor: Actor, version: VersionRow, summary: string, action: string): Promise<string> {
    const ruleSet = await findRuleSet(manager, version.ruleSetKey);
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
      'SELECT segments FROM rule_set WHERE id <> $1::bigint AND model = $2 AND archived_at IS NULL AND active_version_id IS NOT NULL',
      [ruleSet.id, ruleSet.model],
    );
    const jobId = await this.rescore.createJob(manager, {
      ruleSetId: ruleSet.id,
      versionId: version.id,
      createdBy: actor.name,
      isDefault: ruleSet.isDefault,
      segments: ruleSet.segments,
      claimedSegments: others.flatMap((other) => other.segments),
      ...(await this.modelOf(manager, ruleSet)),
    });
    const previous = ruleSet.activeVersionId ? await findVersion(manager, ruleSet.activeVersionId) : null;
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
    const version = await transitionVersion(this.dataSource, versionId, ['approved'], 'publish', async (manager, v) => {
      jobId = await this.activate(manager, actor, v, `Published v${v.version} of ${v.ruleSetKey}`, 'version.published');
    });
    this.ruleSets.invalidate();
    await this.rescore.dispatch(jobId);
    return { version, jobId };
  }

  /** Republishes an earlier version's definition as a new release (it was reviewed when first published). */
  async rollback(actor: Actor, input: { ruleSetKey: string; toVersionId: string }): Promise<{ version: VersionRow; jobId: string }> {
    this.requirePublisher(actor, 'Rolling back');
    const ruleSet = await findRuleSet(this.dataSource.manager, input.ruleSetKey);
    const target = await findVersion(this.dataSource.manager, input.toVersionId);
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
      const release = await insertVersion(
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
      return { version: await findVersion(manager, release.id), jobId };
    });
    this.ruleSets.invalidate();
    await this.rescore.dispatch(result.jobId);
    return result;
  }

  /**
   * Sets the lead segments a rule set scores. None may be claimed by another rule set (archived ones
   * aside); the default rule set takes none (it scores every lead no other rule set claims). When the rule set is active, the leads of every segment that changed
   * hands are re-scored by a job, each by the rule set that now scores it, so none stays on the wrong one.
   */
  async setSegments(actor: Actor, input: { key: string; segments: string[] }): Promise<{ ruleSet: RuleSetRow; jobId: string | null }> {
    requireRole(actor, RULE_SET_ROLES.edit, 'Setting a rule set’s segments');
    const segments = input.segments;
    checkSegmentList(segments, 'segments');
    const result = await this.dataSource.transaction(async (manager) => {
      await lockRuleSets(manager);
      const ruleSet = await findRuleSet(manager, input.key);
      if (ruleSet.archivedAt) throw new ConflictError(RuleSetErrorCode.Archived, `Rule set "${ruleSet.key}" is archived`);
      await checkSegmentClaims(manager, ruleSet, segments, 'segments');

      const moved = [...segments.filter((s) => !ruleSet.segments.includes(s)), ...ruleSet.segments.filter((s) => !segments.includes(s))];
      if (!moved.length) return { ruleSet, jobId: null };
      await manager.query('UPDATE rule_set SET segments = $2::text[], updated_at = now() WHERE id = $1::bigint', [ruleSet.id, segments]);
      let jobId: string | null = null;
      if (ruleSet.activeVersionId) {
        const model = await this.modelOf(manager, ruleSet);
        jobId = await this.rescore.createJob(manager, {
          ruleSetId: ruleSet.id,
          versionId: ruleSet.activeVersionId,
          createdBy: actor.name,
          isDefault: false,
          segments,
          claimedSegments: [],
          // A model job re-scores its whole model; the default model's moves only the moved segments' leads.
          ...(model.model ? model : { movedSegments: moved }),
        });
      }
      const after = await findRuleSet(manager, input.key);
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
}
