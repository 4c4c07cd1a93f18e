import type { DataSource } from 'typeorm';
import { DEMO_USERS } from './demo-users';

/** What a production start must refuse (the service would run unsafe) and what it should say. */
export interface Readiness {
  refusals: string[];
  warnings: string[];
}

const CREATE_ADMIN = 'npm run users -- create-admin --email <you@company.com> --name "<Your Name>"';

/**
 * Checks a production database before the API listens: demo accounts (their password is public)
 * must not be active, and a database without an active admin gets the command that creates one.
 */
export async function productionReadiness(dataSource: DataSource): Promise<Readiness> {
  const demoEmails = DEMO_USERS.map((user) => user.email);
  const [counts] = await dataSource.query<Array<{ admins: string; demo: string[] | null }>>(
    `SELECT count(*) FILTER (WHERE role = 'admin' AND disabled_at IS NULL) AS admins,
            array_agg(email ORDER BY email) FILTER (WHERE email = ANY($1::text[]) AND disabled_at IS NULL) AS demo
       FROM app_user`,
    [demoEmails],
  );
  const readiness: Readiness = { refusals: [], warnings: [] };
  const demo = counts.demo ?? [];
  if (demo.length > 0) {
    readiness.refusals.push(
      `demo accounts with the public password "demo-password" are active: ${demo.join(', ')}. ` +
        `Disable each (npm run users -- disable <email>) or start without NODE_ENV=production.`,
    );
  }
  if (Number(counts.admins) === 0) {
    readiness.warnings.push(
      `no active admin: nobody can sign in yet. Create the first one with: ${CREATE_ADMIN} (password on standard input)`,
    );
  }
  return readiness;
}
