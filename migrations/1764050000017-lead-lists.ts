import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved lead lists: a named `leads` filter and ordering, shared by a team. Names are unique per team
 * whatever their case; the filter is stored as the LeadFilter input it was saved with (validated by
 * the leads service first). The creator may edit or delete it, admins any.
 */
export class LeadLists1764050000017 implements MigrationInterface {
  name = 'LeadLists1764050000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE lead_list (
        id bigserial PRIMARY KEY,
        team text NOT NULL,
        name text NOT NULL,
        description text NULL,
        filter jsonb NOT NULL DEFAULT '{}'::jsonb,
        order_by text NOT NULL DEFAULT 'SCORE_DESC',
        created_by bigint NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_by_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX lead_list_team_name ON lead_list (team, lower(name));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE lead_list');
  }
}
