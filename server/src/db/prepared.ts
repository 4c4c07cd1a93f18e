import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { retryOnConnectionLoss } from './connection-loss';

const names = new Map<string, string>();

function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `ls_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Runs a row-returning statement (SELECT, or INSERT ... RETURNING) as a named prepared statement
 * on the transaction's PostgreSQL connection, so that PostgreSQL parses and plans it once per
 * connection instead of on every call. On the hot path (an activity recorded, a lead upserted)
 * planning the facts query alone cost three times as much as running it for one lead.
 *
 * Only where it pays and is safe: inside a transaction (the connection is known) on a PostgreSQL
 * server. On the embedded database, or without a transaction, it is a plain query. Statements whose
 * best plan depends on the size of an array parameter (a chunk of 5,000 leads or one) should only be
 * prepared for one of the sizes: PostgreSQL switches to a generic plan after a few executions.
 */
export async function queryPrepared<Row>(manager: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client: unknown = await runner.connect();
    if (client instanceof pg.Client) {
      const result = await client.query({ name: statementName(sql), text: sql, values: params });
      return result.rows as Row[];
    }
  }
  return manager.query(sql, params);
}

/**
 * queryPrepared for a read outside a transaction: the statement runs on any pooled connection and
 * each connection prepares it the first time it sees it. The lead-score read a client app sends most
 * often takes longer to plan than to run: preparing it leaves PostgreSQL's share of the CPU to the
 * requests. Being a read, it is run again on a fresh connection if the pool handed out one the
 * server had just closed. On the embedded database, a plain query.
 */
export async function queryPreparedRead<Row>(dataSource: DataSource, sql: string, params: unknown[]): Promise<Row[]> {
  const pool: unknown = (dataSource.driver as { master?: unknown }).master;
  if (pool instanceof pg.Pool) {
    const result = await retryOnConnectionLoss(() => pool.query({ name: statementName(sql), text: sql, values: params }));
    return result.rows as Row[];
  }
  return dataSource.query(sql, params);
}
