import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live updates (GraphQL subscriptions): one-use tickets that let a browser open the WebSocket
 * without its session token, and NOTIFY triggers on the channel `leadscore_live` so that every API
 * process hears, after commit, what any process changed: re-score progress (`r:<job id>`) and ended
 * credentials (`a:apiKey:<id>`, `a:session:<id>`, `a:user:<id>`), which close their subscriptions.
 * Score changes are notified by the scoring listener in live/ (batched payloads), not by a trigger.
 */
export class LiveUpdates1764050000020 implements MigrationInterface {
  name = 'LiveUpdates1764050000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE live_ticket (
        id bigserial PRIMARY KEY,
        ticket_hash text NOT NULL UNIQUE,
        user_id bigint NULL REFERENCES app_user (id) ON DELETE CASCADE,
        session_id bigint NULL REFERENCES user_session (id) ON DELETE CASCADE,
        api_key_id bigint NULL REFERENCES api_key (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CHECK ((session_id IS NOT NULL AND user_id IS NOT NULL) <> (api_key_id IS NOT NULL))
      );
      CREATE INDEX live_ticket_expires ON live_ticket (expires_at);

      CREATE FUNCTION live_notify_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('leadscore_live', 'r:' || NEW.id::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER rescore_job_live AFTER INSERT OR UPDATE OF status, done_leads, total_leads ON rescore_job
        FOR EACH ROW EXECUTE FUNCTION live_notify_rescore();

      CREATE FUNCTION live_notify_credential() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('leadscore_live', 'a:' || TG_ARGV[0] || ':' || OLD.id::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER api_key_live AFTER UPDATE OF revoked_at, expires_at ON api_key
        FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL OR NEW.expires_at IS DISTINCT FROM OLD.expires_at)
        EXECUTE FUNCTION live_notify_credential('apiKey');
      CREATE TRIGGER api_key_live_delete AFTER DELETE ON api_key FOR EACH ROW EXECUTE FUNCTION live_notify_credential('apiKey');
      CREATE TRIGGER user_session_live AFTER UPDATE OF revoked_at, expires_at ON user_session
        FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL OR NEW.expires_at IS DISTINCT FROM OLD.expires_at)
        EXECUTE FUNCTION live_notify_credential('session');
      CREATE TRIGGER user_session_live_delete AFTER DELETE ON user_session FOR EACH ROW EXECUTE FUNCTION live_notify_credential('session');
      CREATE TRIGGER app_user_live AFTER UPDATE OF disabled_at, role ON app_user
        FOR EACH ROW WHEN (NEW.disabled_at IS DISTINCT FROM OLD.disabled_at OR NEW.role IS DISTINCT FROM OLD.role)
        EXECUTE FUNCTION live_notify_credential('user');
      CREATE TRIGGER app_user_live_delete AFTER DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION live_notify_credential('user');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER app_user_live_delete ON app_user;
      DROP TRIGGER app_user_live ON app_user;
      DROP TRIGGER user_session_live_delete ON user_session;
      DROP TRIGGER user_session_live ON user_session;
      DROP TRIGGER api_key_live_delete ON api_key;
      DROP TRIGGER api_key_live ON api_key;
      DROP FUNCTION live_notify_credential();
      DROP TRIGGER rescore_job_live ON rescore_job;
      DROP FUNCTION live_notify_rescore();
      DROP TABLE live_ticket;
    `);
  }
}
