import type { DataSource } from 'typeorm';
import type { ScoringService } from './scoring.service';

/** Whole-population passes: the daily decay re-score. */
export class ScorePassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
  ) {}

  /**
   * Re-scores every lead as of `asOf`, chunk by chunk, each chunk in its own transaction so a long
   * pass never holds locks for long; only changed scores are written and get history entries.
   */
  async runDecayPass(asOf: Date): Promise<{ leadsScored: number; leadsChanged: number; asOf: Date }> {
    const result = { leadsScored: 0, leadsChanged: 0, asOf };
    let after = '0';
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        'SELECT id::text AS id FROM lead WHERE id > $1::bigint ORDER BY lead.id LIMIT 2000',
        [after],
      );
      if (rows.length === 0) return result;
      const pass = await this.dataSource.transaction((manager) =>
        this.scoring.scoreLeads(manager, rows.map((row) => row.id), 'decay', { asOf, carryFirst: true }),
      );
      result.leadsScored += pass.leadsScored;
      result.leadsChanged += pass.leadsChanged;
      after = rows[rows.length - 1].id;
    }
  }
}
