import type { App } from '../app';
import { decideDemoAccounts, insertDemoAccounts } from './demo-accounts';
import { generateDemoData } from './demo-data';
import { seedDemoProductModel } from './demo-models';

const DAY_MS = 86_400_000;
const ACCOUNT_HISTORY_DAYS = 28;

/**
 * Fills an empty database with the demo data set: leads and activities over the last year, the
 * older leads decided (converted with a date and deal value, or lost) so backtests have outcomes,
 * inserted set-based, then scored week by week over the last 12 weeks as of past dates so each lead
 * has a score history (activity-driven rises and decay) and a current score. Leads are contacts of
 * accounts (their companies, by e-mail domain) whose outcomes follow their contacts', and a second
 * lead model ("product") scores them beside the default one. Does nothing when leads exist.
 */
export async function seedDemoData(
  app: App,
  options: { leads?: number; seed?: number; now?: Date } = {},
): Promise<{ leads: number; activities: number; accounts: number } | null> {
  const { dataSource, services } = app;
  const [{ count }]: Array<{ count: number }> = await dataSource.query('SELECT count(*)::int AS count FROM lead');
  if (count > 0) return null;
  const now = options.now ?? new Date();
  const data = generateDemoData({ leads: options.leads ?? 3000, seed: options.seed ?? 2026, now });

  await dataSource.transaction(async (manager) => {
    for (let i = 0; i < data.leads.length; i += 1000) {
      const chunk = data.leads
        .slice(i, i + 1000)
        .map((lead) => ({ ...lead, createdAt: lead.createdAt.toISOString(), outcomeAt: lead.outcomeAt?.toISOString() ?? null }));
      await manager.query(
        `INSERT INTO lead (external_id, email, segment, source, attributes, outcome, outcome_at, deal_value, created_at, updated_at)
         SELECT l."externalId", l.email, l.segment, l.source, l.attributes, l.outcome, l."outcomeAt", l."dealValue", l."createdAt", coalesce(l."outcomeAt", l."createdAt")
           FROM jsonb_to_recordset($1::jsonb) AS l("externalId" text, email text, segment text, source text, attributes jsonb, outcome text,
                                                    "outcomeAt" timestamptz, "dealValue" numeric, "createdAt" timestamptz)`,
        [JSON.stringify(chunk)],
      );
    }
    for (let i = 0; i < data.activities.length; i += 5000) {
      const chunk = data.activities.slice(i, i + 5000).map((a) => ({ ...a, occurredAt: a.occurredAt.toISOString() }));
      await manager.query(
        `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties, recorded_at)
         SELECT l.id, a.type, a."occurredAt", a."idempotencyKey", a.properties, a."occurredAt"
           FROM jsonb_to_recordset($1::jsonb) AS a("leadExternalId" text, type text, "occurredAt" timestamptz, "idempotencyKey" text, properties jsonb)
           JOIN lead l ON l.external_id = a."leadExternalId"`,
        [JSON.stringify(chunk)],
      );
    }
  });

  // Weekly passes over the past, then one now: the history a live system would have built up.
  for (let daysAgo = 84; daysAgo >= 0; daysAgo -= 7) {
    const asOf = new Date(now.getTime() - daysAgo * DAY_MS);
    // Contacts join their accounts for the last five passes: account scoring follows the lead score,
    // so accounts get a few weeks of history without every pass scoring them too.
    if (daysAgo === ACCOUNT_HISTORY_DAYS) await dataSource.transaction((manager) => insertDemoAccounts(manager, data.accounts));
    // The product model from the last pass on: it scores every lead once, after the default model,
    // without tripling the seed's time (its history starts now).
    if (daysAgo === 0) await seedDemoProductModel(app);
    const ids: Array<{ id: string }> = await dataSource.query('SELECT id::text AS id FROM lead WHERE created_at <= $1 ORDER BY lead.id', [
      asOf,
    ]);
    for (let i = 0; i < ids.length; i += 2000) {
      await dataSource.transaction((manager) =>
        services.scoring.scoreLeads(
          manager,
          ids.slice(i, i + 2000).map((row) => row.id),
          daysAgo === 84 ? 'lead_created' : 'decay',
          asOf,
        ),
      );
    }
  }
  const unscored: Array<{ id: string }> = await dataSource.query(
    'SELECT l.id::text AS id FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id WHERE s.lead_id IS NULL',
  );
  if (unscored.length) {
    await dataSource.transaction((manager) =>
      services.scoring.scoreLeads(
        manager,
        unscored.map((row) => row.id),
        'lead_created',
        now,
      ),
    );
  }
  await dataSource.transaction((manager) => decideDemoAccounts(manager));
  return { leads: data.leads.length, activities: data.activities.length, accounts: data.accounts.length };
}
