import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Segment-compatible tracking API (server/src/ingestion): message ids already written per API key
 * (retried batches write nothing twice; kept INGESTION_LIMITS.messageRetentionDays), activities of
 * anonymous visitors until an identify links them to a lead, those links, and the configuration that
 * maps events and traits (one settings row, ordered event mappings, trait mappings).
 */
export class Ingestion1764050000019 implements MigrationInterface {
  name = 'Ingestion1764050000019';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingestion_message (
        api_key_id bigint NOT NULL,
        message_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (api_key_id, message_id)
      )`);
    await queryRunner.query('CREATE INDEX ingestion_message_received_at ON ingestion_message (received_at)');
    await queryRunner.query(`
      CREATE TABLE ingestion_anonymous_event (
        id bigserial PRIMARY KEY,
        anonymous_id text NOT NULL,
        api_key_id bigint NOT NULL,
        message_id text NOT NULL,
        activity_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (api_key_id, message_id)
      )`);
    await queryRunner.query('CREATE INDEX ingestion_anonymous_event_anonymous_id ON ingestion_anonymous_event (anonymous_id)');
    await queryRunner.query(`
      CREATE TABLE ingestion_identity (
        anonymous_id text PRIMARY KEY,
        external_id text NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ingestion_settings (
        id int PRIMARY KEY CHECK (id = 1),
        unmapped_events text NOT NULL CHECK (unmapped_events IN ('IGNORE', 'REFUSE')),
        event_mappings jsonb NOT NULL,
        trait_mappings jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ingestion_settings');
    await queryRunner.query('DROP TABLE ingestion_identity');
    await queryRunner.query('DROP TABLE ingestion_anonymous_event');
    await queryRunner.query('DROP TABLE ingestion_message');
  }
}
