import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on with OpenID Connect: a user keeps the issuer and subject their provider knows them
 * by (unique together), and may have no password (created on first sign-in). Sign-ins in progress
 * (state, nonce, PKCE verifier) and the one-time codes that hand a finished sign-in to the console
 * are kept server-side, each only as long as it is needed (minutes).
 */
export class OidcSignIn1764050000018 implements MigrationInterface {
  name = 'OidcSignIn1764050000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE app_user ALTER COLUMN password_hash DROP NOT NULL,
        ADD COLUMN oidc_issuer text NULL, ADD COLUMN oidc_subject text NULL,
        ADD CONSTRAINT app_user_oidc_pair CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL));
      CREATE UNIQUE INDEX app_user_oidc_identity ON app_user (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;
      CREATE TABLE oidc_sign_in (
        state_hash text PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        return_to text NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX oidc_sign_in_expires ON oidc_sign_in (expires_at);
      CREATE TABLE oidc_handoff (
        code_hash text PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX oidc_handoff_expires ON oidc_handoff (expires_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE oidc_handoff;
      DROP TABLE oidc_sign_in;
      DROP INDEX app_user_oidc_identity;
      -- An empty hash never verifies: users created by sign-on keep no usable password.
      UPDATE app_user SET password_hash = '' WHERE password_hash IS NULL;
      ALTER TABLE app_user DROP CONSTRAINT app_user_oidc_pair, DROP COLUMN oidc_subject, DROP COLUMN oidc_issuer,
        ALTER COLUMN password_hash SET NOT NULL;
    `);
  }
}
