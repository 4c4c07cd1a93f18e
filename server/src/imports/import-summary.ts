import type { Problem } from '../common/errors';
import type { ImportMapping } from './mapping-types';

/* What an import is asked to do, and what it reports. */

export const IMPORT_DEFAULTS = {
  batchSize: 5_000,
  scoreChunkSize: 5_000,
  maxRows: 1_000_000,
  maxFileBytes: 512 * 1024 * 1024,
  /** Rejected rows kept in the summary with their reasons (all are counted and grouped). */
  maxRejectedDetails: 100_000,
} as const;

export interface ImportOptions {
  /** The CSV file. */
  file: string;
  /** A mapping file, or a parsed mapping. */
  mapping: string | ImportMapping;
  /** Read and validate everything, write nothing. */
  dryRun?: boolean;
  batchSize?: number;
  scoreChunkSize?: number;
  /** More data rows than this stops the import (nothing is written). */
  maxRows?: number;
  maxFileBytes?: number;
  /** More rejected rows than this stops the import (nothing is written). Default: no limit. */
  maxRejected?: number;
  /** Told as the import goes (the CLI draws a progress bar from it). */
  onProgress?: (progress: ImportProgress) => void;
  /** Shown in the summary (the CLI passes describeDatabase()). */
  databaseLabel?: string;
  now?: Date;
}

export interface RejectedRow {
  line: number;
  externalId: string | null;
  problems: string[];
}

export interface ImportSummary {
  status: 'imported' | 'dry_run' | 'failed';
  file: string;
  mapping: string;
  database: string;
  /** Data rows read (the header not counted). */
  rowsRead: number;
  /** Leads written (in a dry run: that would be). `unchanged` leads were already exactly so. */
  imported: { total: number; created: number; updated: number; unchanged: number };
  rejected: {
    rows: number;
    byReason: Array<{ reason: string; rows: number; firstLines: number[] }>;
    /** Every rejected row with its line number (up to IMPORT_DEFAULTS.maxRejectedDetails). */
    details: RejectedRow[];
    detailsTruncated: boolean;
  };
  /** Attributes the import added to the catalog. */
  attributesDefined: string[];
  activities: { inserted: number; alreadyRecorded: number };
  scoring: { leadsScored: number; leadsChanged: number };
  timings: { loadMs: number; scoreMs: number; totalMs: number };
  /** Rows read per second of the load phase (read, validate, write). */
  rowsPerSecond: number;
  /** Why nothing was imported. */
  error?: { code: string; message: string; problems: Problem[] };
  /** Where the CLI wrote the report (set by the CLI). */
  reportFile?: string;
}

/** Where an import is: sent to `onProgress` as each phase starts, every 1,000 rows, and as it ends. */
export interface ImportProgress {
  /** `check` reads a dry run's file, `load` reads and writes it, `score` scores the leads written. */
  phase: 'check' | 'load' | 'score';
  /** Work done of `total`: bytes of the file read (check, load) or leads scored (score). */
  done: number;
  total: number;
  /** Data rows read so far. */
  rows: number;
  /** Rows rejected so far. */
  rejected: number;
}

export function emptySummary(options: ImportOptions, database: string): ImportSummary {
  return {
    status: 'failed',
    file: options.file,
    mapping: typeof options.mapping === 'string' ? options.mapping : options.mapping.name,
    database,
    rowsRead: 0,
    imported: { total: 0, created: 0, updated: 0, unchanged: 0 },
    rejected: { rows: 0, byReason: [], details: [], detailsTruncated: false },
    attributesDefined: [],
    activities: { inserted: 0, alreadyRecorded: 0 },
    scoring: { leadsScored: 0, leadsChanged: 0 },
    timings: { loadMs: 0, scoreMs: 0, totalMs: 0 },
    rowsPerSecond: 0,
  };
}
