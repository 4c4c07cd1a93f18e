import { Column, Entity, PrimaryColumn } from 'typeorm';

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
}
