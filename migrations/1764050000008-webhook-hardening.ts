import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook hardening: a previous secret kept valid until an overlap ends (rotation), cancelled
 * deliveries (endpoint deactivated), redeliveries of one event (a new attempt record, so the first
 * delivery per event and endpoint stays unique only among originals), and ping events, which
 * belong to no lead.
 */
export class WebhookHardening1764050000008 implements MigrationInterface {
  name = 'WebhookHardening1764050000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE webhook_endpoint
        ADD COLUMN previous_secret text NULL,
        ADD COLUMN previous_secret_expires_at timestamptz NULL;

      ALTER TABLE outbox_event ALTER COLUMN lead_id DROP NOT NULL;

      ALTER TABLE webhook_delivery
        DROP CONSTRAINT webhook_delivery_status_check,
        ADD CONSTRAINT webhook_delivery_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        ADD COLUMN redelivery_of bigint NULL REFERENCES webhook_delivery (id),
        DROP CONSTRAINT webhook_delivery_event_id_endpoint_id_key;
      CREATE UNIQUE INDEX webhook_delivery_original ON webhook_delivery (event_id, endpoint_id) WHERE redelivery_of IS NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM webhook_delivery WHERE redelivery_of IS NOT NULL OR event_id IN (SELECT id FROM outbox_event WHERE lead_id IS NULL);
      DELETE FROM outbox_event WHERE lead_id IS NULL;
      UPDATE webhook_delivery SET status = 'failed' WHERE status = 'cancelled';

      DROP INDEX webhook_delivery_original;
      ALTER TABLE webhook_delivery
        ADD CONSTRAINT webhook_delivery_event_id_endpoint_id_key UNIQUE (event_id, endpoint_id),
        DROP COLUMN redelivery_of,
        DROP CONSTRAINT webhook_delivery_status_check,
        ADD CONSTRAINT webhook_delivery_status_check CHECK (status IN ('pending', 'delivered', 'failed'));

      ALTER TABLE outbox_event ALTER COLUMN lead_id SET NOT NULL;

      ALTER TABLE webhook_endpoint
        DROP COLUMN previous_secret_expires_at,
        DROP COLUMN previous_secret;
    `);
  }
}
