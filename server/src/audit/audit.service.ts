import type { DataSource, EntityManager } from 'typeorm';
import { InvalidInputError, type Problem } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { AuditErrorCode } from './audit.errors';

export interface AuditEntry {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  diff?: unknown;
  requestId?: string | null;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'requestId'>> {
  id: string;
  requestId: string | null;
  at: Date;
}

export interface AuditFilterData {
  entityType?: string | null;
  entityId?: string | null;
  actor?: string | null;
  action?: string | null;
  /** Entries about this rule set or one of its versions. */
  ruleSetKey?: string | null;
  /** Entries at or after this instant. */
  from?: Date | null;
  /** Entries before this instant. */
  to?: Date | null;
}

/** A rule set key is short text; the dates are real instants, the range not reversed. */
function filterProblems(filter: AuditFilterData): Problem[] {
  const problems: Problem[] = [];
  if (filter.ruleSetKey != null && (filter.ruleSetKey.trim() === '' || filter.ruleSetKey.length > 200))
    problems.push({ path: 'filter.ruleSetKey', message: 'The rule set key must be between 1 and 200 characters' });
  for (const field of ['from', 'to'] as const) {
    const value = filter[field];
    if (value != null && Number.isNaN(value.getTime()))
      problems.push({ path: `filter.${field}`, message: 'This is not a valid date and time' });
  }
  if (problems.length === 0 && filter.from && filter.to && filter.from.getTime() >= filter.to.getTime())
    problems.push({ path: 'filter.to', message: 'The end of the period must come after its start' });
  return problems;
}

/** Changes between two flat records, for entities without a richer diff. */
export function shallowDiff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): Array<{ path: string; old: unknown; new: unknown }> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]))
    .map((key) => ({ path: key, old: before?.[key] ?? null, new: after?.[key] ?? null }));
}

/** Append-only record of who changed what; written in the same transaction as the change. */
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor, action, entity_type, entity_id, summary, before, after, diff, request_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9)`,
      [
        entry.actor,
        entry.action,
        entry.entityType,
        entry.entityId,
        entry.summary,
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
        entry.diff === undefined ? null : JSON.stringify(entry.diff),
        entry.requestId ?? null,
      ],
    );
  }

  async list(filter: AuditFilterData | null | undefined, first?: number | null, after?: string | null): Promise<Page<AuditRow>> {
    const size = pageSize(first, AuditErrorCode.InvalidQuery);
    const problems = filter ? filterProblems(filter) : [];
    if (problems.length > 0) throw InvalidInputError.of(AuditErrorCode.InvalidQuery, problems);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter?.entityType) where.push(`entity_type = ${add(filter.entityType)}`);
    if (filter?.entityId) where.push(`entity_id = ${add(filter.entityId)}`);
    if (filter?.actor) where.push(`actor = ${add(filter.actor)}`);
    if (filter?.action) where.push(`action = ${add(filter.action)}`);
    if (filter?.ruleSetKey) {
      const key = add(filter.ruleSetKey);
      where.push(`((entity_type = 'rule_set' AND entity_id IN (SELECT id::text FROM rule_set WHERE key = ${key}))
        OR (entity_type = 'rule_set_version' AND entity_id IN (
          SELECT v.id::text FROM rule_set_version v JOIN rule_set r ON r.id = v.rule_set_id WHERE r.key = ${key})))`);
    }
    if (filter?.from) where.push(`at >= ${add(filter.from)}`);
    if (filter?.to) where.push(`at < ${add(filter.to)}`);
    if (after) where.push(`id < ${add(decodeCursor(after, 'audit', 'INVALID_CURSOR', 'after', ['id'])[0])}::bigint`);
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT id::text AS id, actor, action, entity_type AS "entityType", entity_id AS "entityId", summary,
              before, after, diff, request_id AS "requestId", at
         FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY audit_log.id DESC LIMIT ${add(size + 1)}`,
      params,
    );
    const nodes = rows.slice(0, size);
    return { nodes, cursors: nodes.map((row) => encodeCursor(['audit', row.id])), hasNextPage: rows.length > size };
  }
}
