import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type LeadOutcome = 'open' | 'converted' | 'lost';
export type AttributeValue = string | number | boolean | string[] | null;

@Entity({ name: 'lead' })
export class LeadEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', unique: true })
  externalId: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  segment: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, AttributeValue>;

  @Column({ type: 'text', default: 'open' })
  outcome: LeadOutcome;

  @Column({ name: 'outcome_at', type: 'timestamptz', nullable: true })
  outcomeAt: Date | null;

  @Column({ name: 'deal_value', type: 'numeric', precision: 14, scale: 2, nullable: true })
  dealValue: string | null;

  // Written only by owners/ (conditional UPDATEs), never by a save of a loaded lead: a stale copy
  // must not undo an assignment made meanwhile.
  @Column({ name: 'owner_id', type: 'uuid', nullable: true, insert: false, update: false })
  ownerId: string | null;

  // Written only by the account matching of the write paths and by accounts/ (set-based UPDATEs).
  @Column({ name: 'account_id', type: 'bigint', nullable: true, insert: false, update: false })
  accountId: string | null;

  @Column({ name: 'account_source', type: 'text', nullable: true, insert: false, update: false })
  accountSource: 'client' | 'domain' | 'manual' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
