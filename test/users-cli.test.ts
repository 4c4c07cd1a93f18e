import { PGliteInstance } from 'typeorm-pglite/dist/pglite-instance.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import type { DatabaseConfig } from '../server/src/db/database-config';
import { createApolloServer, createContext } from '../server/src/http/http-server';
import { type ChildResult, createOwnDatabase, type OwnDatabase, runScript } from './support/own-database';

/*
 * `npm run users -- ...` run as a child process, as an operator would, on a database of its own:
 * a clone of the migrated template on PostgreSQL (DATABASE_URL), a temporary DATA_DIR for PGlite.
 * The password goes in on standard input. Then the users sign in through GraphQL.
 */

let env: NodeJS.ProcessEnv;
let database: DatabaseConfig;
let own: OwnDatabase | undefined;

beforeAll(async () => {
  own = await createOwnDatabase('users-cli-test');
  ({ env, database } = own);
});
afterAll(async () => {
  await own?.drop();
});

/** Runs `npm run users -- <args>` (the same script) with `stdin` piped in. */
const users = (args: string[], stdin = ''): Promise<ChildResult> => runScript('scripts/users.ts', args, env, stdin);

/** Opens the app on the CLI's database (after the CLI has exited: PGlite is single-process), runs `work`, closes it. */
async function withApp<T>(
  work: (signIn: (email: string, password: string) => Promise<{ token?: string; reason?: string }>, app: App) => Promise<T>,
): Promise<T> {
  const app = await createApp({ database, logger: createLogger('silent') });
  const apollo = createApolloServer(app, { production: false });
  await apollo.start();
  try {
    return await work(async (email, password) => {
      const response = await apollo.executeOperation<{ signIn: { token: string } }>(
        {
          query: `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`,
          variables: { email, password },
        },
        { contextValue: createContext(app, null) },
      );
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not used');
      const result = response.body.singleResult;
      return { token: result.data?.signIn.token, reason: result.errors?.[0]?.extensions?.reason as string | undefined };
    }, app);
  } finally {
    await apollo.stop();
    await app.close();
    // The embedded database stays open in this process after app.close(); the next CLI run must see it closed and the next app reopen it.
    if (database.kind === 'embedded') await PGliteInstance.close();
  }
}

// Each run starts a process, opens the database and checks its migrations: seconds on a busy machine.
describe('npm run users', { timeout: 300_000 }, () => {
  it('create-admin on a fresh database reads the password from stdin; the admin signs in through GraphQL', async () => {
    const created = await users(['create-admin', '--email', 'Root@Acme.io', '--name', 'Ruth Root'], 'first admin password\n');
    expect(created.stderr).not.toContain('first admin password');
    expect(created.stdout).toMatch(/^created admin root@acme\.io \(id \d+\)/);
    expect(created.code).toBe(0);

    const again = await users(['create-admin', '--email', 'root@acme.io', '--name', 'Someone Else'], 'another password 1\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a user with email root@acme.io already exists; nothing changed');

    const tooShort = await users(['create-admin', '--email', 'short@acme.io', '--name', 'Short'], 'short\n');
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toContain('input.password: must be 12 to 200 characters');

    await withApp(async (signIn, app) => {
      expect((await signIn('root@acme.io', 'first admin password')).token).toMatch(/^lss_/);
      const listed = await app.services.auth.listUsers();
      expect(listed.map((user) => [user.email, user.role])).toEqual([['root@acme.io', 'admin']]);
      const [audit] = await app.dataSource.query(`SELECT actor, action FROM audit_log WHERE action = 'user.created'`);
      expect(audit.actor).toMatch(/^cli:/);
    });
  });

  it('list, disable, enable and set-password; the last active admin cannot be disabled', async () => {
    expect((await users(['create-admin', '--email', 'second@acme.io', '--name', 'Second Admin'], 'second admin password\n')).code).toBe(0);
    const list = await users(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/root@acme\.io {2}admin {2}active {2}"Ruth Root"/);
    expect(list.stdout).toMatch(/second@acme\.io {2}admin {2}active/);

    const disabled = await users(['disable', 'second@acme.io']);
    expect(disabled.stdout).toContain('disabled second@acme.io');
    expect(disabled.code).toBe(0);
    const last = await users(['disable', 'root@acme.io']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('This is the last active admin');
    expect((await users(['list'])).stdout).toMatch(/second@acme\.io {2}admin {2}disabled since /);
    const unknown = await users(['disable', 'nobody@acme.io']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No user with email nobody@acme.io');

    await withApp(async (signIn) => {
      expect((await signIn('second@acme.io', 'second admin password')).reason).toBe('INVALID_CREDENTIALS');
      expect((await signIn('root@acme.io', 'first admin password')).token).toMatch(/^lss_/);
    });

    const enabled = await users(['enable', 'second@acme.io']);
    expect(enabled.stdout).toContain('enabled second@acme.io');
    expect(enabled.code).toBe(0);
    const set = await users(['set-password', 'root@acme.io'], 'a replaced password\n');
    expect(set.stdout).toContain('password of root@acme.io set');
    expect(set.code).toBe(0);
    await withApp(async (signIn, app) => {
      expect(await signIn('second@acme.io', 'second admin password')).toEqual({ token: expect.stringMatching(/^lss_/), reason: undefined });
      expect((await signIn('root@acme.io', 'first admin password')).reason).toBe('INVALID_CREDENTIALS');
      expect((await signIn('root@acme.io', 'a replaced password')).token).toMatch(/^lss_/);
      // set-password ended the sessions opened before it.
      const [{ open }] = await app.dataSource.query(
        `SELECT count(*)::int AS open FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE u.email = 'root@acme.io' AND s.revoked_at IS NULL`,
      );
      expect(open).toBe(1);
    });
  });

  it('wrong usage prints the usage and exits 2', async () => {
    const result = await users(['create-admin', '--email', 'x@acme.io']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('create-admin needs --email and --name');
    expect(result.stderr).toContain('Usage: npm run users');
    expect((await users(['frobnicate'])).code).toBe(2);
  });
});
