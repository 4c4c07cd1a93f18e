import type { DataSource, EntityManager } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize } from '../common/pagination';
import { ScoringErrorCode } from './scoring.errors';
import type { ScoreReader } from './score-reader';
import type { ScoringService } from './scoring.service';
import type { ScoreSnapshotRow, StoredScore } from './stored-score';

export const DECAY_LIMITS = {
  /** Clocks drift: the real pass takes an `asOf` up to this far ahead of the server's clock. */
  maxClockSkewMs: 5 * 60_000,
  /** Leads a preview page examines at most (it stops earlier once it has `first` changes). */
  previewScan: 10_000,
  /** Leads a preview scores at once. */
  previewChunk: 2_000,
} as const;

export interface DecayPreviewChangeRow {
  leadId: string;
  /** Null for a lead not scored yet (the pass would give it its first score). */
  current: ScoreSnapshotRow | null;
  projected: ScoreSnapshotRow;
}

export interface BandMoveRow {
  from: string | null;
  to: string;
  leads: number;
}

/** Counts over the leads a preview page examined (from its `after` to its `endCursor`). */
export interface DecayPreviewSummaryRow {
  leadsScored: number;
  leadsChanged: number;
  leavingQualified: number;
  enteringQualified: number;
  bandMoves: BandMoveRow[];
}

export interface DecayPreviewPage {
  asOf: Date;
  changes: DecayPreviewChangeRow[];
  summary: DecayPreviewSummaryRow;
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Where runDecayPass reads the time (tests move it). */
export interface PassClock {
  now(): Date;
}

export interface ScorePassOptions {
  /** The system clock by default. */
  clock?: PassClock;
}

const CURSOR_TAG = 'decay-preview';

function snapshotOf(score: StoredScore): ScoreSnapshotRow {
  return {
    fit: score.fit,
    engagement: score.engagement,
    total: score.total,
    cell: score.cell,
    band: score.band,
    qualified: score.qualified,
  };
}

/** Whole-population passes: the daily decay re-score, and its preview. */
export class ScorePassService {
  private readonly clock: PassClock;

  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    private readonly scores: ScoreReader,
    options: ScorePassOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
  }

  /**
   * Re-scores every lead as of `asOf` (default now), chunk by chunk, each chunk in its own
   * transaction so a long pass never holds locks for long; only changed scores are written and get
   * history entries. `asOf` may not be in the future (beyond clock skew): that would store scores
   * and history of a time that has not come, and fire webhooks for it; decayPreview shows it instead.
   */
  async runDecayPass(asOf: Date = this.clock.now()): Promise<{ leadsScored: number; leadsChanged: number; asOf: Date }> {
    const latest = this.clock.now().getTime() + DECAY_LIMITS.maxClockSkewMs;
    if (Number.isNaN(asOf.getTime()))
      throw InvalidInputError.field(ScoringErrorCode.InvalidDecayPass, 'asOf', 'must be an ISO 8601 date-time');
    if (asOf.getTime() > latest) {
      throw InvalidInputError.field(
        ScoringErrorCode.InvalidDecayPass,
        'asOf',
        `${asOf.toISOString()} is in the future: the pass stores scores; use the decayPreview query to see what decay will do by then`,
      );
    }
    const result = { leadsScored: 0, leadsChanged: 0, asOf };
    let after = '0';
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        'SELECT id::text AS id FROM lead WHERE id > $1::bigint ORDER BY lead.id LIMIT 2000',
        [after],
      );
      if (rows.length === 0) return result;
      const pass = await this.dataSource.transaction((manager) =>
        this.scoring.rescoreWithCarry(
          manager,
          rows.map((row) => row.id),
          'decay',
          asOf,
        ),
      );
      result.leadsScored += pass.leadsScored;
      result.leadsChanged += pass.leadsChanged;
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * What the decay pass as of `asOf` would change, computed by the pass's own scoring path and
   * written nowhere (a read-only transaction: no score, history, outbox row or lock). A page walks
   * the leads in id order from `after`, examines at most DECAY_LIMITS.previewScan of them and stops
   * at the `first`-th change; its summary counts the leads it examined, so the population's totals
   * are the sums over all pages.
   */
  async previewDecay(asOf: Date, first?: number | null, after?: string | null): Promise<DecayPreviewPage> {
    if (Number.isNaN(asOf.getTime()))
      throw InvalidInputError.field(ScoringErrorCode.InvalidDecayPreview, 'asOf', 'must be an ISO 8601 date-time');
    const size = pageSize(first, ScoringErrorCode.InvalidDecayPreview);
    let from = '0';
    if (after) {
      const [id, at] = decodeCursor(after, CURSOR_TAG, ScoringErrorCode.InvalidCursor, 'after', ['id', 'timestamp']) as [string, string];
      if (Date.parse(at) !== asOf.getTime()) {
        throw InvalidInputError.field(ScoringErrorCode.InvalidCursor, 'after', `was returned for asOf ${at}, not ${asOf.toISOString()}`);
      }
      from = String(id);
    }
    // One snapshot for the whole page; READ ONLY makes PostgreSQL refuse any write, whoever tries.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const changes: DecayPreviewChangeRow[] = [];
      const moves = new Map<string, BandMoveRow>();
      const summary: DecayPreviewSummaryRow = { leadsScored: 0, leadsChanged: 0, leavingQualified: 0, enteringQualified: 0, bandMoves: [] };
      let last = from;
      while (changes.length < size && summary.leadsScored < DECAY_LIMITS.previewScan) {
        const limit = Math.min(DECAY_LIMITS.previewChunk, DECAY_LIMITS.previewScan - summary.leadsScored);
        const rows: Array<{ id: string }> = await manager.query(
          'SELECT id::text AS id FROM lead WHERE id > $1::bigint ORDER BY lead.id LIMIT $2',
          [last, limit],
        );
        if (rows.length === 0) break;
        const projected = new Map(
          (
            await this.scores.projectScores(
              manager,
              rows.map((row) => row.id),
              asOf,
            )
          ).map((entry) => [entry.score.leadId, entry]),
        );
        const current = await this.currentSnapshots(
          manager,
          [...projected.values()].filter((entry) => entry.changed).map((entry) => entry.score.leadId),
        );
        for (const { id } of rows) {
          last = id;
          const entry = projected.get(id);
          if (!entry) continue;
          summary.leadsScored++;
          if (!entry.changed) continue;
          const before = current.get(id) ?? null;
          const after = snapshotOf(entry.score);
          summary.leadsChanged++;
          if (before?.qualified && !after.qualified) summary.leavingQualified++;
          if (!before?.qualified && after.qualified) summary.enteringQualified++;
          if (before?.band !== after.band) {
            const key = `${before?.band ?? ''}>${after.band}`;
            const move = moves.get(key) ?? { from: before?.band ?? null, to: after.band, leads: 0 };
            move.leads++;
            moves.set(key, move);
          }
          changes.push({ leadId: id, current: before, projected: after });
          if (changes.length === size) break;
        }
      }
      summary.bandMoves = [...moves.values()].sort(
        (a, b) => b.leads - a.leads || String(a.from).localeCompare(String(b.from)) || a.to.localeCompare(b.to),
      );
      const [{ more }]: Array<{ more: boolean }> = await manager.query('SELECT EXISTS (SELECT 1 FROM lead WHERE id > $1::bigint) AS more', [
        last,
      ]);
      return {
        asOf,
        changes,
        summary,
        endCursor: last === from ? (after ?? null) : encodeCursor([CURSOR_TAG, last, asOf.toISOString()]),
        hasNextPage: more,
      };
    });
  }

  private async currentSnapshots(manager: EntityManager, leadIds: string[]): Promise<Map<string, ScoreSnapshotRow>> {
    if (leadIds.length === 0) return new Map();
    const rows: Array<ScoreSnapshotRow & { leadId: string }> = await manager.query(
      'SELECT lead_id::text AS "leadId", fit, engagement, total, cell, band, qualified FROM lead_score WHERE lead_id = ANY($1::bigint[])',
      [leadIds],
    );
    return new Map(rows.map(({ leadId, ...snapshot }) => [leadId, snapshot]));
  }
}
