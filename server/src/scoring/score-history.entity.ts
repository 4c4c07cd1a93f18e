import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const SCORE_CAUSES = [
  'lead_created',
  'lead_updated',
  'activity_recorded',
  'decay',
  'rescore',
  'rule_set_published',
  // A contact re-scored because its account's score changed (a lead rule set reads account facts).
  'account_changed',
] as const;
export type ScoreCause = (typeof SCORE_CAUSES)[number];

@Entity({ name: 'score_history' })
export class ScoreHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'lead_id', type: 'bigint' })
  leadId: string;

  @Column({ type: 'text' })
  cause: ScoreCause;

  @Column({ name: 'rule_set_version_id', type: 'bigint' })
  ruleSetVersionId: string;

  @Column({ name: 'activity_id', type: 'bigint', nullable: true })
  activityId: string | null;

  @Column({ name: 'old_fit', type: 'integer', nullable: true }) oldFit: number | null;
  @Column({ name: 'new_fit', type: 'integer' }) newFit: number;
  @Column({ name: 'old_engagement', type: 'integer', nullable: true }) oldEngagement: number | null;
  @Column({ name: 'new_engagement', type: 'integer' }) newEngagement: number;
  @Column({ name: 'old_total', type: 'integer', nullable: true }) oldTotal: number | null;
  @Column({ name: 'new_total', type: 'integer' }) newTotal: number;
  @Column({ name: 'old_cell', type: 'text', nullable: true }) oldCell: string | null;
  @Column({ name: 'new_cell', type: 'text' }) newCell: string;
  @Column({ name: 'old_band', type: 'text', nullable: true }) oldBand: string | null;
  @Column({ name: 'new_band', type: 'text' }) newBand: string;
  @Column({ name: 'old_qualified', type: 'boolean', nullable: true }) oldQualified: boolean | null;
  @Column({ name: 'new_qualified', type: 'boolean' }) newQualified: boolean;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt: Date;
}
