import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Review and publishing of rule set versions, the audit log, and chunked re-score jobs. */
export class RuleSetWorkflow1764050000002 implements MigrationInterface {
  name = 'RuleSetWorkflow1764050000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rule_set_version
        ADD COLUMN editors text[] NOT NULL DEFAULT '{}',
        ADD COLUMN based_on_version_id bigint NULL REFERENCES rule_set_version (id),
        ADD COLUMN submitted_at timestamptz NULL,
        ADD COLUMN submitted_by text NULL,
        ADD COLUMN approved_at timestamptz NULL,
        ADD COLUMN published_by text NULL,
        ADD COLUMN retired_at timestamptz NULL,
        ADD COLUMN note text NOT NULL DEFAULT '';

      CREATE TABLE rule_set_review (
        id bigserial PRIMARY KEY,
        version_id bigint NOT NULL REFERENCES rule_set_version (id),
        side text NOT NULL CHECK (side IN ('marketing', 'sales')),
        decision text NOT NULL CHECK (decision IN ('approved', 'changes_requested')),
        reviewer text NOT NULL,
        comment text NOT NULL DEFAULT '',
        revision integer NOT NULL,
        -- An edit after review sends the version back to draft and voids earlier sign-offs.
        voided_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX rule_set_review_version ON rule_set_review (version_id, id);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        summary text NOT NULL DEFAULT '',
        before jsonb NULL,
        after jsonb NULL,
        diff jsonb NULL,
        request_id text NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id DESC);
      CREATE INDEX audit_log_actor ON audit_log (actor, id DESC);

      CREATE TABLE rescore_job (
        id bigserial PRIMARY KEY,
        rule_set_id bigint NOT NULL REFERENCES rule_set (id),
        version_id bigint NOT NULL REFERENCES rule_set_version (id),
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'superseded')),
        total_leads integer NOT NULL,
        done_leads integer NOT NULL DEFAULT 0,
        changed_leads integer NOT NULL DEFAULT 0,
        total_chunks integer NOT NULL,
        done_chunks integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL
      );
      CREATE INDEX rescore_job_rule_set ON rescore_job (rule_set_id, id DESC);

      CREATE TABLE rescore_chunk (
        job_id bigint NOT NULL REFERENCES rescore_job (id) ON DELETE CASCADE,
        chunk_no integer NOT NULL,
        lead_ids bigint[] NOT NULL,
        done_at timestamptz NULL,
        worker text NULL,
        PRIMARY KEY (job_id, chunk_no)
      );
      CREATE INDEX rescore_chunk_pending ON rescore_chunk (job_id, chunk_no) WHERE done_at IS NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE rescore_chunk;
      DROP TABLE rescore_job;
      DROP TABLE audit_log;
      DROP TABLE rule_set_review;
      ALTER TABLE rule_set_version
        DROP COLUMN editors, DROP COLUMN based_on_version_id,
        DROP COLUMN submitted_at, DROP COLUMN submitted_by, DROP COLUMN approved_at, DROP COLUMN published_by,
        DROP COLUMN retired_at, DROP COLUMN note;
    `);
  }
}
