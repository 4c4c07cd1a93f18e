import type { EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { ScoringErrorCode } from './scoring.errors';
import type { ScoreChangeRow } from './stored-score';

/** A checked page request of a lead's score history; `after` is the last seen history id. */
export interface HistoryPageArgs {
  size: number;
  after: string | null;
}

/** Checks the page arguments of a lead's `scoreHistory` (errors name `first` and `after`). */
export function historyPageArgs(first?: number | null, after?: string | null): HistoryPageArgs {
  const size = pageSize(first, ScoringErrorCode.InvalidHistoryQuery);
  return { size, after: after ? String(decodeCursor(after, 'history', ScoringErrorCode.InvalidCursor, 'after', ['id'])[0]) : null };
}

/**
 * The same page of score changes (newest first) of each lead, in one statement for a page of
 * leads: each lead's page is read through the (lead_id, id) index up to its limit.
 */
export async function historyOfLeads(
  manager: EntityManager,
  leadIds: readonly string[],
  args: HistoryPageArgs,
): Promise<Map<string, Page<ScoreChangeRow>>> {
  const params: unknown[] = [leadIds];
  let keyset = '';
  if (args.after) {
    params.push(args.after);
    keyset = 'AND h.id < $2::bigint';
  }
  params.push(args.size + 1);
  const rows: Array<ScoreChangeRow & { leadId: string }> = await manager.query(
    `SELECT p.* FROM unnest($1::bigint[]) AS k(lead_id)
       CROSS JOIN LATERAL (
         SELECT h.lead_id::text AS "leadId", h.id::text AS id, h.cause, h.changed_at AS "changedAt", h.activity_id::text AS "activityId",
                rs.key AS "ruleSetKey", v.version AS "ruleSetVersion",
                CASE WHEN h.old_total IS NULL THEN NULL ELSE jsonb_build_object('fit', h.old_fit, 'engagement', h.old_engagement,
                  'total', h.old_total, 'cell', h.old_cell, 'band', h.old_band, 'qualified', h.old_qualified) END AS old,
                jsonb_build_object('fit', h.new_fit, 'engagement', h.new_engagement, 'total', h.new_total,
                  'cell', h.new_cell, 'band', h.new_band, 'qualified', h.new_qualified) AS new
           FROM score_history h
           JOIN rule_set_version v ON v.id = h.rule_set_version_id
           JOIN rule_set rs ON rs.id = v.rule_set_id
          WHERE h.lead_id = k.lead_id ${keyset}
          ORDER BY h.id DESC LIMIT $${params.length}) p`,
    params,
  );
  const byLead = new Map<string, ScoreChangeRow[]>();
  for (const { leadId, ...row } of rows) {
    const list = byLead.get(leadId);
    if (list) list.push(row);
    else byLead.set(leadId, [row]);
  }
  return new Map(
    leadIds.map((leadId) => {
      const all = byLead.get(leadId) ?? [];
      const nodes = all.slice(0, args.size);
      return [leadId, { nodes, cursors: nodes.map((row) => encodeCursor(['history', row.id])), hasNextPage: all.length > args.size }];
    }),
  );
}
