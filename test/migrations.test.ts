import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations';
import { createDataSource } from '../server/src/db/data-source';
import type { DatabaseConfig } from '../server/src/db/database-config';
import { withDatabase } from './support/global-setup';

async function withEmptyDatabase(run: (config: DatabaseConfig) => Promise<void>): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) return run({ kind: 'embedded' });
  const name = `ls_test_mig_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    await run({ kind: 'postgres', url: withDatabase(adminUrl, name) });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const tables = async (query: (sql: string) => Promise<Array<{ table_name: string }>>) =>
  (
    await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`)
  ).map((r) => r.table_name);

describe('migrations', () => {
  it('apply on an empty database, revert completely with down, and apply again', async () => {
    await withEmptyDatabase(async (config) => {
      const dataSource = createDataSource(config);
      await dataSource.initialize();
      try {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
        expect(await tables((sql) => dataSource.query(sql))).toEqual(
          [
            'account',
            'account_recompute_log',
            'account_rescore_pending',
            'activity',
            'activity_catalog_setting',
            'activity_type_definition',
            'api_key',
            'app_user',
            'attribute_definition',
            'audit_log',
            'backtest_cohort',
            'backtest_cohort_account',
            'backtest_cohort_lead',
            'backtest_cohort_property',
            'backtest_run',
            'ingestion_anonymous_event',
            'ingestion_identity',
            'ingestion_message',
            'ingestion_settings',
            'lead',
            'lead_list',
            'lead_owner',
            'lead_score',
            'live_ticket',
            'model_score',
            'model_score_carry',
            'model_score_history',
            'oidc_handoff',
            'oidc_sign_in',
            'rescore_chunk',
            'rescore_job',
            'rule_set',
            'rule_set_review',
            'routing_rule',
            'rule_set_version',
            'score_calibration',
            'score_carry',
            'score_history',
            'score_model',
            'user_session',
            'outbox_event',
            'webhook_delivery',
            'webhook_endpoint',
          ].sort(),
        );
        for (let i = 0; i < migrations.length; i += 1) await dataSource.undoLastMigration({ transaction: 'each' });
        expect(await tables((sql) => dataSource.query(sql))).toEqual([]);
        expect(await dataSource.runMigrations({ transaction: 'each' })).toHaveLength(migrations.length);
      } finally {
        await dataSource.destroy();
      }
    });
  });
});
