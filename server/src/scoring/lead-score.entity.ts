import { Column, Entity, PrimaryColumn } from 'typeorm';
import { XID } from '../db/column-types';

/** The current score of a lead (one row per lead); changes are kept in score_history. */
@Entity({ name: 'lead_score' })
export class LeadScoreEntity {
  @PrimaryColumn({ name: 'lead_id', type: 'bigint' })
  leadId: string;

  @Column({ name: 'rule_set_version_id', type: 'bigint' })
  ruleSetVersionId: string;

  @Column({ name: 'rule_set_key', type: 'text' })
  ruleSetKey: string;

  @Column({ name: 'rule_set_version', type: 'integer' })
  ruleSetVersion: number;

  @Column({ type: 'integer' })
  fit: number;

  @Column({ type: 'integer' })
  engagement: number;

  @Column({ type: 'integer' })
  total: number;

  @Column({ name: 'fit_grade', type: 'char', length: 1 })
  fitGrade: string;

  @Column({ name: 'engagement_level', type: 'smallint' })
  engagementLevel: number;

  @Column({ type: 'text' })
  cell: string;

  @Column({ type: 'text' })
  band: string;

  @Column({ type: 'boolean' })
  qualified: boolean;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'action_label', type: 'text' })
  actionLabel: string;

  /** Indexes into the version's rules of the rules that fired; with the adjustments, the explanation. */
  @Column({ name: 'fired_rules', type: 'smallint', array: true })
  firedRules: number[];

  @Column({ name: 'cap_fit', type: 'integer' })
  capFit: number;

  @Column({ name: 'cap_engagement', type: 'integer' })
  capEngagement: number;

  @Column({ type: 'integer' })
  decay: number;

  @Column({ name: 'days_inactive', type: 'integer' })
  daysInactive: number;

  @Column({ name: 'scored_at', type: 'timestamptz' })
  scoredAt: Date;

  @Column({ name: 'last_activity_at', type: 'timestamptz', nullable: true })
  lastActivityAt: Date | null;

  /** Checksum of the activity fact definitions `facts` belongs to; null: nothing cached (a trigger clears it on any activity write). */
  @Column({ name: 'facts_key', type: 'text', nullable: true })
  factsKey: string | null;

  /** The cached activity aggregates, comma-separated in fact order (the signature codec reads and writes them). */
  @Column({ type: 'text', nullable: true })
  facts: string | null;

  /** Epoch ms from which a cached aggregate can change without a new activity; null: never. */
  @Column({ name: 'facts_valid_until', type: 'bigint', nullable: true })
  factsValidUntil: string | null;

  /** What the lead sees of its score in one string, so re-scoring compares one column. */
  @Column({ type: 'text', nullable: true })
  signature: string | null;

  /** The lead row's xmin when it was scored: fired rules are carried over only while the row is unchanged. */
  @Column({ name: 'lead_xmin', type: XID, nullable: true })
  leadXmin: string | null;

  /** The order of the row's last write (score_seq): a completed re-score's carry (score_carry) reads rows written before it as its version. */
  @Column({ name: 'write_seq', type: 'bigint', nullable: true })
  writeSeq: string | null;
}
