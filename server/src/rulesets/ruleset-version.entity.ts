import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RuleSetDefinition } from '../engine/ruleset-definition';

export const VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

@Entity({ name: 'rule_set_version' })
export class RuleSetVersionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'rule_set_id', type: 'bigint' })
  ruleSetId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  status: VersionStatus;

  /** json, not jsonb: keeps the document's key order, so a file round-trips through the database unchanged. */
  @Column({ type: 'json' })
  definition: RuleSetDefinition;

  /** sha256 of the canonical definition JSON: cites exactly what produced a score or a backtest. */
  @Column({ type: 'text' })
  checksum: string;

  /** Optimistic concurrency: a save must name the revision it started from. */
  @Column({ type: 'integer', default: 1 })
  revision: number;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /** Everyone who created or saved the version: an editor may not approve it. */
  @Column({ type: 'text', array: true, default: '{}' })
  editors: string[];

  @Column({ name: 'based_on_version_id', type: 'bigint', nullable: true })
  basedOnVersionId: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'submitted_by', type: 'text', nullable: true })
  submittedBy: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'published_by', type: 'text', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @Column({ type: 'text', default: '' })
  note: string;

  /** The backtest run a draft made from suggestions came from. */
  @Column({ name: 'backtest_run_id', type: 'bigint', nullable: true })
  backtestRunId: string | null;

  /**
   * The holdout comparison shown to reviewers; its shape is backtests' VersionEvidence
   * (apply-suggestions.service.ts), which this lower folder does not import.
   */
  @Column({ type: 'jsonb', nullable: true })
  evidence: Record<string, unknown> | null;
}
