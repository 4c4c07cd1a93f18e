import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './principal';

/** A person signing in to the API or console. `app_user` because `user` is reserved in PostgreSQL. */
@Entity({ name: 'app_user' })
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** Stored lower-case; unique. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  /** See passwords.ts for the format; null for a user created by single sign-on (no password yet). */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'password_changed_at', type: 'timestamptz', nullable: true })
  passwordChangedAt?: Date | null;

  /** The OpenID provider (issuer) and subject this user signs in as; both null until linked. */
  @Column({ name: 'oidc_issuer', type: 'text', nullable: true })
  oidcIssuer?: string | null;

  @Column({ name: 'oidc_subject', type: 'text', nullable: true })
  oidcSubject?: string | null;
}
