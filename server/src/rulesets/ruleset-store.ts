import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { ConflictError, NotFoundError } from '../common/errors';
import { checksumOf } from '../engine/canonical-json';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { RuleSetErrorCode } from './ruleset.errors';
import type { VersionStatus } from './ruleset-version.entity';

/** Rows of rule sets, versions and reviews as the workflow reads and writes them (set-based SQL). */

export interface RuleSetRow {
  id: string;
  key: string;
  /** The score model it scores for. */
  model: string;
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

const VERSION_COLUMNS = `v.id::text AS id, v.rule_set_id::text AS "ruleSetId", rs.key AS "ruleSetKey", v.version, v.status,
  v.definition, v.checksum, v.revision, v.created_by AS "createdBy", v.editors, v.note,
  v.based_on_version_id::text AS "basedOnVersionId", v.created_at AS "createdAt", v.updated_at AS "updatedAt",
  v.submitted_at AS "submittedAt", v.submitted_by AS "submittedBy", v.approved_at AS "approvedAt",
  v.published_at AS "publishedAt", v.published_by AS "publishedBy", v.retired_at AS "retiredAt"`;

const RULE_SET_COLUMNS = `rs.id::text AS id, rs.key, rs.model, rs.name, rs.description, rs.is_default AS "isDefault", rs.segments,
  rs.active_version_id::text AS "activeVersionId", rs.archived_at AS "archivedAt", rs.created_at AS "createdAt", rs.updated_at AS "updatedAt"`;

export function listRuleSets(manager: EntityManager, includeArchived: boolean): Promise<RuleSetRow[]> {
  return manager.query(
    `SELECT ${RULE_SET_COLUMNS} FROM rule_set rs ${includeArchived ? '' : 'WHERE rs.archived_at IS NULL'} ORDER BY rs.model = 'default' DESC, rs.model, rs.is_default DESC, rs.key`,
  );
}

export async function findRuleSet(manager: EntityManager, key: string): Promise<RuleSetRow> {
  const [row]: RuleSetRow[] = await manager.query(`SELECT ${RULE_SET_COLUMNS} FROM rule_set rs WHERE rs.key = $1`, [key]);
  if (!row)
    throw new NotFoundError(RuleSetErrorCode.RuleSetNotFound, `No rule set with key "${key}"`, [
      { path: 'ruleSetKey', message: 'no such rule set' },
    ]);
  return row;
}

export function versionsOf(manager: EntityManager, ruleSetId: string): Promise<VersionRow[]> {
  return manager.query(
    `SELECT ${VERSION_COLUMNS} FROM rule_set_version v JOIN rule_set rs ON rs.id = v.rule_set_id WHERE v.rule_set_id = $1::bigint ORDER BY v.version DESC`,
    [ruleSetId],
  );
}

/** A version by id (locked with `lock`); NOT_FOUND for an unknown or malformed id. */
export async function findVersion(manager: EntityManager, versionId: string, lock = false): Promise<VersionRow> {
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

export async function reviewsOf(manager: EntityManager, versionId: string): Promise<ReviewRow[]> {
  await findVersion(manager, versionId); // NOT_FOUND for an unknown (or malformed) id, as for every other version lookup
  return manager.query(
    `SELECT id::text AS id, version_id::text AS "versionId", side, decision, reviewer, comment, revision,
            voided_at IS NOT NULL AS voided, created_at AS "createdAt"
       FROM rule_set_review WHERE version_id = $1::bigint ORDER BY rule_set_review.id`,
    [versionId],
  );
}

/** The rule set's next version number; the caller holds the rule set's row lock. */
export async function insertVersion(
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
  return findVersion(manager, row.id);
}

/**
 * One step of a version's life in its own transaction: locks the version, refuses a status not in
 * `allowedFrom` (ILLEGAL_TRANSITION), runs the step and returns the version as it now is.
 */
export function transitionVersion(
  dataSource: DataSource,
  versionId: string,
  allowedFrom: VersionStatus[],
  action: string,
  run: (manager: EntityManager, version: VersionRow) => Promise<void>,
): Promise<VersionRow> {
  return dataSource.transaction(async (manager) => {
    const version = await findVersion(manager, versionId, true);
    if (!allowedFrom.includes(version.status)) {
      throw new ConflictError(
        RuleSetErrorCode.IllegalTransition,
        `Cannot ${action} version ${version.version} of "${version.ruleSetKey}": it is ${version.status} (needs ${allowedFrom.join(' or ')})`,
      );
    }
    await run(manager, version);
    return findVersion(manager, versionId);
  });
}
