import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Qualified-lead webhooks: endpoints, a transactional outbox of events, and the delivery log. */
export class Webhooks1764050000004 implements MigrationInterface {
  name = 'Webhooks1764050000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoint (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        secret text NOT NULL,
        events text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- Written in the same transaction as the score change that caused it.
      CREATE TABLE outbox_event (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        lead_id bigint NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz NULL
      );
      CREATE INDEX outbox_event_pending ON outbox_event (created_at) WHERE dispatched_at IS NULL;

      CREATE TABLE webhook_delivery (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES outbox_event (id),
        endpoint_id bigint NOT NULL REFERENCES webhook_endpoint (id),
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer NULL,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz NULL,
        delivered_at timestamptz NULL,
        UNIQUE (event_id, endpoint_id)
      );
      CREATE INDEX webhook_delivery_endpoint ON webhook_delivery (endpoint_id, id DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE webhook_delivery;
      DROP TABLE outbox_event;
      DROP TABLE webhook_endpoint;
    `);
  }
}
