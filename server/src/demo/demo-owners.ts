import type { App } from '../app';
import { SYSTEM_ACTOR } from '../auth/actor';

/** The team the demo routes qualified leads to: the sales demo user and a queue take turns. */
export const DEMO_TEAM = 'inbound';

/**
 * Gives the demo's sales user leads of their own ("My leads"): an owner for sales@demo.local and an
 * inbound queue in one team, a routing rule sending newly qualified leads to that team, and the open
 * leads qualified before the rule existed shared between the two. Does nothing when owners exist or
 * the demo users do not.
 */
export async function seedDemoOwners(app: App, salesEmail = 'sales@demo.local'): Promise<{ owners: number; assigned: number } | null> {
  const { dataSource, services } = app;
  const [{ count }]: Array<{ count: number }> = await dataSource.query('SELECT count(*)::int AS count FROM lead_owner');
  if (count > 0) return null;
  const [sales]: Array<{ id: string }> = await dataSource.query('SELECT id::text AS id FROM app_user WHERE email = $1', [salesEmail]);
  if (!sales) return null;

  const person = await services.owners.defineOwner(SYSTEM_ACTOR, { kind: 'user', userId: sales.id, team: DEMO_TEAM });
  const queue = await services.owners.defineOwner(SYSTEM_ACTOR, { kind: 'queue', name: 'Inbound queue', team: DEMO_TEAM });
  await services.routing.setRules(SYSTEM_ACTOR, [
    {
      name: 'Qualified leads to the inbound team',
      cells: null,
      segment: null,
      bands: null,
      attributes: null,
      ownerId: null,
      team: DEMO_TEAM,
    },
  ]);
  // Leads that qualified while seeding never passed through routing: shared alternately, best first.
  const assigned: Array<{ id: string }> = await dataSource.query(
    // Wrapped in a CTE: TypeORM's PostgreSQL driver answers a bare UPDATE ... RETURNING with [rows, count].
    `WITH open AS (
       SELECT l.id, row_number() OVER (ORDER BY s.total DESC, l.id) AS n
         FROM lead l JOIN lead_score s ON s.lead_id = l.id
        WHERE (s.qualified OR s.action = 'send_to_sales') AND l.outcome = 'open' AND l.owner_id IS NULL),
     assigned AS (
       UPDATE lead l SET owner_id = CASE WHEN open.n % 2 = 1 THEN $1::uuid ELSE $2::uuid END
         FROM open WHERE open.id = l.id
       RETURNING l.id)
     SELECT id::text AS id FROM assigned`,
    [person.id, queue.id],
  );
  return { owners: 2, assigned: assigned.length };
}
