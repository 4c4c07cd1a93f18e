import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type AccountOutcome = 'open' | 'converted' | 'lost';
/** How a lead came to its account: sent by the client, matched by its email's domain, or placed by hand. */
export type AccountSource = 'client' | 'domain' | 'manual';

/**
 * A company leads belong to. Written with set-based SQL (matching, upserts, merges); the entity is
 * the row type the service returns, and test/entities.test.ts keeps it equal to the table.
 */
@Entity({ name: 'account' })
export class AccountEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true, unique: true })
  externalId: string | null;

  @Column({ type: 'text', nullable: true, unique: true })
  domain: string | null;

  @Column({ type: 'text', default: '' })
  name: string;

  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  @Column({ type: 'text', default: 'open' })
  outcome: AccountOutcome;

  @Column({ name: 'outcome_at', type: 'timestamptz', nullable: true })
  outcomeAt: Date | null;

  @Column({ name: 'deal_value', type: 'numeric', precision: 14, scale: 2, nullable: true })
  dealValue: string | null;

  @Column({ name: 'merged_into_id', type: 'bigint', nullable: true })
  mergedIntoId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
