import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead owners and routing: who works a lead (a sales user or a named queue of a team), the ordered
 * routing rules that pick an owner when a lead qualifies, one round-robin counter per team (a row
 * updated with UPDATE ... RETURNING, so concurrent assignments take turns instead of racing), and
 * webhook endpoint filters (segment, cell, band; null = any) for the new assignment and band events.
 */
export class Owners1764050000016 implements MigrationInterface {
  name = 'Owners1764050000016';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE lead_owner (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('user', 'queue')),
        user_id bigint NULL REFERENCES app_user (id) ON DELETE SET NULL,
        name text NOT NULL,
        team text NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX lead_owner_user ON lead_owner (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX lead_owner_team ON lead_owner (team, id) WHERE active;

      ALTER TABLE lead ADD COLUMN owner_id uuid NULL REFERENCES lead_owner (id) ON DELETE SET NULL;
      CREATE INDEX lead_owner_id ON lead (owner_id) WHERE owner_id IS NOT NULL;

      -- Rules are evaluated by position; the first that matches picks the owner (or the team).
      CREATE TABLE routing_rule (
        position integer PRIMARY KEY CHECK (position >= 0),
        name text NOT NULL,
        cells text[] NULL,
        segment text NULL,
        bands text[] NULL,
        attribute_equals jsonb NULL,
        owner_id uuid NULL REFERENCES lead_owner (id),
        team text NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((owner_id IS NULL) <> (team IS NULL))
      );

      ALTER TABLE webhook_endpoint
        ADD COLUMN filter_segments text[] NULL,
        ADD COLUMN filter_cells text[] NULL,
        ADD COLUMN filter_bands text[] NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Routing creates one turn sequence per team it routes to (see owners/routing.service.ts).
    const sequences: Array<{ name: string }> = await queryRunner.query(
      `SELECT relname AS name FROM pg_class WHERE relkind = 'S' AND relname LIKE 'routing_turn\\_%'`,
    );
    for (const { name } of sequences) await queryRunner.query(`DROP SEQUENCE "${name}"`);
    await queryRunner.query(`
      ALTER TABLE webhook_endpoint
        DROP COLUMN filter_bands,
        DROP COLUMN filter_cells,
        DROP COLUMN filter_segments;
      DROP TABLE routing_rule;
      DROP INDEX lead_owner_id;
      ALTER TABLE lead DROP COLUMN owner_id;
      DROP TABLE lead_owner;
    `);
  }
}
