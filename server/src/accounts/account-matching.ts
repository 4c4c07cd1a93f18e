import type { EntityManager } from 'typeorm';
import { FREE_EMAIL_DOMAINS } from '../engine/facts';

/*
 * Which account a written lead belongs to, decided in the transaction of the lead write, with a few
 * set-based statements per batch (not per lead):
 * 1. a lead sent with an account external id joins that account (created when new, source 'client');
 * 2. any other lead that no client or person placed (account_source null or 'domain') joins the
 *    account of its e-mail's domain (created when new, named after the domain), unless the domain is
 *    a free e-mail domain; a lead whose email no longer has a usable domain leaves its domain account.
 * A merged account keeps its external id and domain, and `merged_into_id` points at the surviving
 * account (kept one level deep by mergeAccounts), so both steps land on the survivor.
 * Accounts are created with INSERT ... ON CONFLICT DO NOTHING, in key order: a concurrent writer
 * creating the same account waits for the other's commit and then uses its row, so one domain never
 * gets two accounts. Leads' updated_at is left to the write that placed them (the import sets its own).
 */

/** One written lead: its id, and the account external id its write sent (undefined: none). */
export interface AccountMatchItem {
  leadId: string;
  accountExternalId?: string | null;
}

/** The domain of an e-mail as the lead's facts see it (lower case, after the @). */
export const EMAIL_DOMAIN_SQL = (email: string) => `lower(NULLIF(split_part(${email}, '@', 2), ''))`;

const FREE_DOMAINS = [...FREE_EMAIL_DOMAINS];

/** Places the written leads (already inserted or updated, locked by the caller) in their accounts. */
export async function matchLeadAccounts(manager: EntityManager, items: readonly AccountMatchItem[]): Promise<void> {
  if (items.length === 0) return;
  const byClient = items.filter((item) => item.accountExternalId != null);
  if (byClient.length > 0) {
    const externalIds = [...new Set(byClient.map((item) => item.accountExternalId as string))].sort();
    await manager.query(
      `INSERT INTO account (external_id, name)
       SELECT x, x FROM unnest($1::text[]) AS x WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.external_id = x) ORDER BY x
       ON CONFLICT DO NOTHING`,
      [externalIds],
    );
    await manager.query(
      `UPDATE lead l SET account_id = COALESCE(a.merged_into_id, a.id), account_source = 'client'
         FROM unnest($1::bigint[], $2::text[]) AS r(lead_id, external_id)
         JOIN account a ON a.external_id = r.external_id
        WHERE l.id = r.lead_id
          AND (l.account_id IS DISTINCT FROM COALESCE(a.merged_into_id, a.id) OR l.account_source IS DISTINCT FROM 'client')`,
      [byClient.map((item) => item.leadId), byClient.map((item) => item.accountExternalId)],
    );
  }
  const byDomain = items.filter((item) => item.accountExternalId == null).map((item) => item.leadId);
  if (byDomain.length > 0) await matchByDomain(manager, byDomain);
}

/**
 * Step 2 for leads by id (also used after imports): leads that no client or person placed join the
 * account of their email's domain; a domain-placed lead without a usable domain leaves its account.
 */
export async function matchByDomain(manager: EntityManager, leadIds: readonly string[]): Promise<void> {
  const domain = EMAIL_DOMAIN_SQL('l.email');
  const eligible = `l.id = ANY($1::bigint[]) AND COALESCE(l.account_source, 'domain') = 'domain'`;
  const usable = `${domain} IS NOT NULL AND ${domain} <> ALL($2::text[])`;
  // NOT EXISTS first: a lead write usually finds its account, and a skipped insert burns no id.
  await manager.query(
    `INSERT INTO account (domain, name)
     SELECT DISTINCT ${domain}, ${domain} FROM lead l
      WHERE ${eligible} AND ${usable} AND NOT EXISTS (SELECT 1 FROM account a WHERE a.domain = ${domain})
      ORDER BY 1
     ON CONFLICT DO NOTHING`,
    [leadIds, FREE_DOMAINS],
  );
  // Joins the domain's account (its survivor), or leaves a domain account for no usable domain.
  await manager.query(
    `UPDATE lead l SET account_id = m.account_id, account_source = m.source
       FROM (SELECT l.id, COALESCE(a.merged_into_id, a.id) AS account_id, CASE WHEN a.id IS NULL THEN NULL ELSE 'domain' END AS source
               FROM lead l LEFT JOIN account a ON ${usable} AND a.domain = ${domain}
              WHERE ${eligible}) m
      WHERE l.id = m.id AND (l.account_id IS DISTINCT FROM m.account_id OR l.account_source IS DISTINCT FROM m.source)`,
    [leadIds, FREE_DOMAINS],
  );
}
