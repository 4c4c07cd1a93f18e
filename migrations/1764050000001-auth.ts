import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users with roles, their sessions, and client apps' API keys (secrets and tokens stored hashed only). */
export class Auth1764050000001 implements MigrationInterface {
  name = 'Auth1764050000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE app_user (
        id bigserial PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'marketing', 'sales', 'viewer')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz NULL
      );

      CREATE TABLE user_session (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL
      );
      CREATE INDEX user_session_user ON user_session (user_id);

      CREATE TABLE api_key (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
        created_by bigint NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL,
        last_used_at timestamptz NULL
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE api_key;
      DROP TABLE user_session;
      DROP TABLE app_user;
    `);
  }
}
