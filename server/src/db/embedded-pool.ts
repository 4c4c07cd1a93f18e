import { EventEmitter } from 'node:events';
import { Mutex } from 'async-mutex';
import type { PGlite } from '@electric-sql/pglite';
import { getPGliteInstance } from 'typeorm-pglite';

/**
 * PGlite is one connection. typeorm-pglite's pool shares it between every query runner at once, so
 * one request's statements could land inside another request's open transaction. This pool hands
 * the connection to one query runner at a time (like a pg pool of size 1): a query runner holds it
 * from connect() until release(). pg-boss's adapter takes the same lock per statement batch.
 */
export const embeddedLock = new Mutex();

type QueryCallback = (error: Error | null, result: unknown) => void;

export interface PgLikeResult {
  rows: Record<string, unknown>[];
  rowCount?: number;
  affectedRows?: number;
}

/** Runs SQL the way node-postgres does: parameterised via the extended protocol, else as a script. */
export async function runOnPGlite(db: PGlite, sql: string, params?: unknown[]): Promise<PgLikeResult> {
  if (params && params.length > 0) {
    const result = await db.query<Record<string, unknown>>(sql, params);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, affectedRows: result.affectedRows };
  }
  const results = await db.exec(sql);
  const last = results[results.length - 1];
  const rows = (last?.rows ?? []) as Record<string, unknown>[];
  return { rows, rowCount: last?.affectedRows ?? rows.length, affectedRows: last?.affectedRows };
}

class EmbeddedClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(sql: string, paramsOrCallback?: unknown[] | QueryCallback, maybeCallback?: QueryCallback): Promise<PgLikeResult> {
    const callback = typeof paramsOrCallback === 'function' ? paramsOrCallback : maybeCallback;
    const params = typeof paramsOrCallback === 'function' ? undefined : paramsOrCallback;
    const promise = runOnPGlite(this.db, sql, params);
    promise.then(
      (result) => callback?.(null, result),
      (error: Error) => callback?.(error, null),
    );
    return callback ? promise.catch(() => ({ rows: [] })) : promise;
  }
}

export class SerializedPGlitePool extends EventEmitter {
  connect(callback: (error: Error | null, client: EmbeddedClient | null, release: () => void) => void): void {
    embeddedLock.acquire().then(
      async (releaseLock) => {
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            releaseLock();
          }
        };
        try {
          callback(null, new EmbeddedClient(await getPGliteInstance()), release);
        } catch (error) {
          release();
          callback(error as Error, null, () => undefined);
        }
      },
      (error: Error) => callback(error, null, () => undefined),
    );
  }

  end(callback?: (error: Error | null) => void): void {
    callback?.(null);
  }
}
