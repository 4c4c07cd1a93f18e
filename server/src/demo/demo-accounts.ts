import type { EntityManager } from 'typeorm';
import type { DemoAccount } from './demo-types';

/**
 * The demo's accounts: one per company its leads write from (several contacts each), placed by
 * e-mail domain as lead writes place them, with the firmographics rules/account-default.json scores.
 * Inserted set-based inside the seeding transaction, before the scoring passes, so account scores
 * follow the contacts' scores from the first pass on.
 */
export async function insertDemoAccounts(manager: EntityManager, accounts: readonly DemoAccount[]): Promise<number> {
  for (let i = 0; i < accounts.length; i += 1000) {
    await manager.query(
      `INSERT INTO account (domain, name, attributes)
       SELECT a.domain, a.name, a.attributes FROM jsonb_to_recordset($1::jsonb) AS a(domain text, name text, attributes jsonb)
       ON CONFLICT (domain) DO NOTHING`,
      [JSON.stringify(accounts.slice(i, i + 1000))],
    );
  }
  await manager.query(
    `UPDATE lead l SET account_id = a.id, account_source = 'domain'
       FROM account a WHERE a.domain = lower(split_part(l.email, '@', 2)) AND l.account_id IS NULL`,
  );
  // An account appears with its first contact (the demo's history starts a year ago, not at seeding).
  await manager.query(
    `UPDATE account a SET created_at = f.first, updated_at = f.first
       FROM (SELECT account_id, min(created_at) AS first FROM lead WHERE account_id IS NOT NULL GROUP BY account_id) f
      WHERE f.account_id = a.id`,
  );
  return accounts.length;
}

/**
 * Account outcomes consistent with their contacts': converted at the first contact's conversion
 * (the deal is the contacts' deals together), lost when every contact was lost (at the last loss),
 * open otherwise. So backtests of account models have outcomes.
 */
export async function decideDemoAccounts(manager: EntityManager): Promise<void> {
  await manager.query(
    `UPDATE account a
        SET outcome = CASE WHEN d.converted THEN 'converted' WHEN d.lost THEN 'lost' ELSE 'open' END,
            outcome_at = CASE WHEN d.converted THEN d.converted_at WHEN d.lost THEN d.lost_at END,
            deal_value = CASE WHEN d.converted THEN d.deal END
       FROM (SELECT account_id, bool_or(outcome = 'converted') AS converted, bool_and(outcome = 'lost') AS lost,
                    min(outcome_at) FILTER (WHERE outcome = 'converted') AS converted_at, max(outcome_at) AS lost_at,
                    sum(deal_value) FILTER (WHERE outcome = 'converted') AS deal
               FROM lead WHERE account_id IS NOT NULL GROUP BY account_id) d
      WHERE d.account_id = a.id`,
  );
}
