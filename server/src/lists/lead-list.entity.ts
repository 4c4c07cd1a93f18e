import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { LeadFilterData } from '../leads/lead-filter';

/** A saved, named `leads` filter and ordering, shared by a team (migration 1764050000017). */
@Entity({ name: 'lead_list' })
export class LeadListEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  team: string;

  /** Unique per team whatever its case (index lead_list_team_name). */
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The LeadFilter input as saved (null fields dropped). */
  @Column({ type: 'jsonb', default: {} })
  filter: LeadFilterData;

  @Column({ name: 'order_by', type: 'text', default: 'SCORE_DESC' })
  orderBy: string;

  /** The creating user (null once that user is deleted): they may edit and delete the list. */
  @Column({ name: 'created_by', type: 'bigint', nullable: true })
  createdBy: string | null;

  /** The creator as the audit log names them (`user:ana@acme.io`), kept when the user goes. */
  @Column({ name: 'created_by_name', type: 'text' })
  createdByName: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
