import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts (issue 18): companies that leads (contacts) belong to. A lead joins an account by the
 * account external id the client sends, else by its e-mail domain; `account_source` records how, so
 * that domain matching never moves a contact placed by the client or by hand. A merged account keeps
 * its row and ids (`merged_into_id`) so that later writes naming it follow to the surviving account.
 * The attribute catalog gets a scope (lead or account); names are unique per scope.
 */
export class Accounts1764050000021 implements MigrationInterface {
  name = 'Accounts1764050000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE account (
        id bigserial PRIMARY KEY,
        external_id text NULL UNIQUE,
        domain text NULL UNIQUE CHECK (domain = lower(domain)),
        name text NOT NULL DEFAULT '',
        attributes jsonb NOT NULL DEFAULT '{}',
        outcome text NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'converted', 'lost')),
        outcome_at timestamptz NULL,
        deal_value numeric(14, 2) NULL,
        merged_into_id bigint NULL REFERENCES account (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE lead ADD COLUMN account_id bigint NULL REFERENCES account (id) ON DELETE SET NULL,
                       ADD COLUMN account_source text NULL CHECK (account_source IN ('client', 'domain', 'manual'));
      CREATE INDEX lead_account ON lead (account_id, id) WHERE account_id IS NOT NULL;
      ALTER TABLE attribute_definition ADD COLUMN scope text NOT NULL DEFAULT 'lead' CHECK (scope IN ('lead', 'account'));
      ALTER TABLE attribute_definition DROP CONSTRAINT attribute_definition_pkey, ADD PRIMARY KEY (scope, name);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM attribute_definition WHERE scope <> 'lead';
      ALTER TABLE attribute_definition DROP CONSTRAINT attribute_definition_pkey, ADD PRIMARY KEY (name);
      ALTER TABLE attribute_definition DROP COLUMN scope;
      DROP INDEX lead_account;
      ALTER TABLE lead DROP COLUMN account_source, DROP COLUMN account_id;
      DROP TABLE account;
    `);
  }
}
