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
 * `account_contact_moved`: the accounts a contact left (moved, detached, erased), written by a
 * trigger whatever path moved it, so the account it left is recomputed too: by the scoring
 * follower of the same transaction (rows of its own `txid`), else by the worker. Append-only, no
 * unique key: a writer never waits on another's row.
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

      CREATE TABLE account_contact_moved (
        account_id bigint NOT NULL,
        txid bigint NOT NULL DEFAULT txid_current(),
        moved_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX account_contact_moved_txid ON account_contact_moved (txid, account_id);

      CREATE FUNCTION account_contact_moved_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account_contact_moved (account_id)
        SELECT OLD.account_id
         WHERE NOT EXISTS (SELECT 1 FROM account_contact_moved m WHERE m.txid = txid_current() AND m.account_id = OLD.account_id);
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_left_account AFTER UPDATE OF account_id ON lead
        FOR EACH ROW WHEN (OLD.account_id IS NOT NULL AND OLD.account_id IS DISTINCT FROM NEW.account_id)
        EXECUTE FUNCTION account_contact_moved_record();
      CREATE TRIGGER lead_deleted_left_account AFTER DELETE ON lead
        FOR EACH ROW WHEN (OLD.account_id IS NOT NULL)
        EXECUTE FUNCTION account_contact_moved_record();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER lead_deleted_left_account ON lead;
      DROP TRIGGER lead_left_account ON lead;
      DROP FUNCTION account_contact_moved_record();
      DROP TABLE account_contact_moved;
      DROP TABLE account_rescore_pending;
    `);
  }
}
