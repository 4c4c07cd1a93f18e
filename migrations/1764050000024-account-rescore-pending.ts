import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account scoring (issue 18) work that is not done inline.
 *
 * `account_rescore_pending`: one row per account and kind collects requests until a worker takes
 * it: `account` recomputes the account's scores in every account model (an account with more
 * contacts than a request may read, or one another transaction held locked), `contacts` re-scores
 * its contacts after its score changed. Debounced: `due_at` is set by the first request and not
 * moved by later ones. `version` grows with each request; a worker deletes the row only if no
 * request came while it worked, so none is lost. `claimed_until` lets a crashed worker's claim
 * expire; `after_lead_id` is how far a contacts re-score got (resumed there). No foreign key to
 * account: its check would take a key-share lock on the account, which a merge holds FOR UPDATE
 * while it waits for the contacts the requester holds (a deadlock); the worker skips accounts gone.
 *
 * `account_recompute_log`: accounts whose score is stale for a reason no scoring call of the same
 * transaction may see: a contact left it (moved, detached, erased), or its attributes changed
 * (upsertAccounts). Written by triggers whatever path did it; taken by the scoring follower of the
 * same transaction (rows of its own `txid`), else by the worker (with the row's `cause`).
 * Append-only, no unique key: a writer never waits on another's row.
 */
export class AccountRescorePending1764050000024 implements MigrationInterface {
  name = 'AccountRescorePending1764050000024';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE account_rescore_pending (
        account_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('account', 'contacts')),
        cause text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        due_at timestamptz NOT NULL,
        claimed_until timestamptz NULL,
        after_lead_id bigint NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, kind)
      );
      CREATE INDEX account_rescore_pending_due ON account_rescore_pending (due_at);

      CREATE TABLE account_recompute_log (
        account_id bigint NOT NULL,
        cause text NOT NULL,
        txid bigint NOT NULL DEFAULT txid_current(),
        logged_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX account_recompute_log_txid ON account_recompute_log (txid, account_id);

      CREATE FUNCTION account_recompute_log_record() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        stale bigint;
      BEGIN
        -- In branches: NEW.id and OLD.account_id exist only on their own table.
        IF TG_TABLE_NAME = 'account' THEN
          stale := NEW.id;
        ELSE
          stale := OLD.account_id;
        END IF;
        INSERT INTO account_recompute_log (account_id, cause)
        SELECT stale, TG_ARGV[0]
         WHERE NOT EXISTS (SELECT 1 FROM account_recompute_log m WHERE m.txid = txid_current() AND m.account_id = stale);
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_left_account AFTER UPDATE OF account_id ON lead
        FOR EACH ROW WHEN (OLD.account_id IS NOT NULL AND OLD.account_id IS DISTINCT FROM NEW.account_id)
        EXECUTE FUNCTION account_recompute_log_record('lead_updated');
      CREATE TRIGGER lead_deleted_left_account AFTER DELETE ON lead
        FOR EACH ROW WHEN (OLD.account_id IS NOT NULL)
        EXECUTE FUNCTION account_recompute_log_record('lead_updated');
      CREATE TRIGGER account_attributes_changed AFTER UPDATE OF attributes ON account
        FOR EACH ROW WHEN (OLD.attributes IS DISTINCT FROM NEW.attributes)
        EXECUTE FUNCTION account_recompute_log_record('rescore');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER account_attributes_changed ON account;
      DROP TRIGGER lead_deleted_left_account ON lead;
      DROP TRIGGER lead_left_account ON lead;
      DROP FUNCTION account_recompute_log_record();
      DROP TABLE account_recompute_log;
      DROP TABLE account_rescore_pending;
    `);
  }
}
