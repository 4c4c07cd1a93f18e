import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/test-app';
import {
  startAuthTestApp,
  post,
  bearer,
  PASSWORD,
  createUser,
  signIn,
  createApiKey,
  LEADS,
  SIGN_IN,
  newAddress,
  signInFrom,
  refusal,
  wrong,
} from './testing/auth-test-app';

let t: TestApp;

beforeAll(async () => {
  ({ t } = await startAuthTestApp());
});
afterAll(async () => {
  await t?.close();
});

const gqlWith = (token: string, query: string, variables: Record<string, unknown> = {}) => post(query, variables, bearer(token));
const auditRows = (action: string, entityId: string) =>
  t.sql<{ actor: string; summary: string }>(`SELECT actor, summary FROM audit_log WHERE action = $1 AND entity_id = $2`, [
    action,
    entityId,
  ]);

describe('managing users and sessions', () => {
  it("changePassword sets a new password and ends the caller's other sessions, audited", async () => {
    const { email, principal } = await createUser('marketing');
    const [first, second] = [await signIn(email), await signIn(email)];
    const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { id email } }`;
    const [{ password_hash: before }] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM app_user WHERE id = $1`, [
      principal.userId,
    ]);

    const tooShort = await gqlWith(first, CHANGE, { c: PASSWORD, n: 'short' });
    expect(tooShort.json.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'newPassword', message: 'must be 12 to 200 characters' }],
    });
    const wrongCurrent = await gqlWith(first, CHANGE, { c: 'not my password', n: 'the next password' });
    expect(wrongCurrent.json.errors?.[0]).toMatchObject({
      message: 'currentPassword: is not your current password',
      extensions: { code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD' },
    });
    const [{ password_hash: unchanged }] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM app_user WHERE id = $1`, [
      principal.userId,
    ]);
    expect(unchanged).toBe(before);
    expect((await gqlWith(second, `{ me { actor } }`)).status).toBe(200);

    const changed = await gqlWith(first, CHANGE, { c: PASSWORD, n: 'the next password' });
    expect(changed.json.data).toEqual({ changePassword: { id: principal.userId, email } });
    expect((await gqlWith(first, `{ me { actor } }`)).status).toBe(200);
    const ended = await gqlWith(second, `{ me { actor } }`);
    expect(ended.status).toBe(401);
    expect(ended.json.errors?.[0].extensions?.reason).toBe('SESSION_EXPIRED');
    expect(refusal(await post(SIGN_IN, { email, password: PASSWORD }, { 'x-forwarded-for': newAddress() }))).toEqual(wrong);
    expect(await signIn(email, 'the next password')).toMatch(/^lss_/);
    expect(await auditRows('user.password_changed', principal.userId)).toEqual([
      { actor: `user:${email}`, summary: 'Changed own password; 1 other session(s) ended' },
    ]);

    const byKey = await createApiKey('no-password', ['SCORES_READ']);
    const refused = await post(CHANGE, { c: 'x', n: 'the next password' }, bearer(byKey.secret));
    expect(refused.json.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("disableUser ends the user's sessions and stops the API keys they created at once; enableUser lets them sign in again", async () => {
    const { email, principal } = await createUser('admin');
    const token = await signIn(email);
    const created = await post(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: 'made-by-a-leaver', scopes: ['SCORES_READ'] } },
      bearer(token),
    );
    const key = created.json.data!.createApiKey.secret as string;
    expect((await post(LEADS, {}, bearer(key))).status).toBe(200);

    const disabled = await t.gql<{ disableUser: { id: string; disabledAt: string | null } }>(
      `mutation($id: ID!) { disableUser(id: $id) { id disabledAt } }`,
      { id: principal.userId },
    );
    expect(disabled.errors).toBeUndefined();
    expect(disabled.data?.disableUser.disabledAt).not.toBeNull();
    expect((await gqlWith(token, `{ me { actor } }`)).json.errors?.[0].extensions?.reason).toBe('SESSION_EXPIRED');
    const keyRefused = await post(LEADS, {}, bearer(key));
    expect(keyRefused.status).toBe(401);
    expect(keyRefused.json.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'API_KEY_CREATOR_DISABLED' } });
    expect(refusal(await post(SIGN_IN, { email, password: PASSWORD }, { 'x-forwarded-for': newAddress() }))).toEqual(wrong);
    expect(await t.sql(`SELECT 1 FROM user_session WHERE user_id = $1 AND revoked_at IS NULL`, [principal.userId])).toHaveLength(0);

    const enabled = await t.gql<{ enableUser: { disabledAt: string | null } }>(
      `mutation($id: ID!) { enableUser(id: $id) { disabledAt } }`,
      { id: principal.userId },
    );
    expect(enabled.data?.enableUser.disabledAt).toBeNull();
    expect((await post(LEADS, {}, bearer(key))).status).toBe(200);
    expect((await gqlWith(token, `{ me { actor } }`)).status).toBe(401); // ended sessions stay ended
    expect(await signIn(email)).toMatch(/^lss_/);
    expect((await auditRows('user.disabled', principal.userId)).map((row) => row.actor)).toEqual([`user:${t.admin.email}`]);
    expect((await auditRows('user.enabled', principal.userId)).map((row) => row.actor)).toEqual([`user:${t.admin.email}`]);
  });

  it('disableUser refuses oneself (CONFLICT), an unknown id (NOT_FOUND) and a non-admin (FORBIDDEN), writing nothing', async () => {
    const self = await t.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: t.admin.userId });
    expect(self.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', reason: 'CANNOT_DISABLE_SELF', problems: [{ path: 'id' }] } });
    const unknown = await t.gql(`mutation { disableUser(id: "999999") { id } }`);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'USER_NOT_FOUND' });
    const { principal: viewer } = await createUser('viewer');
    const { principal: other } = await createUser('viewer');
    const forbidden = await t.gqlAs(viewer, `mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: other.userId });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(
      await t.sql(`SELECT 1 FROM app_user WHERE disabled_at IS NOT NULL AND id IN ($1, $2)`, [t.admin.userId, other.userId]),
    ).toHaveLength(0);
  });

  it("sessions lists one's active sessions (an admin: anyone's); revokeSession ends one, audited", async () => {
    const { email, principal } = await createUser('viewer');
    const here = newAddress();
    const mine = (await signInFrom(here, email, PASSWORD)).json.data!.signIn.token as string;
    const other = (await signInFrom(newAddress(), email, PASSWORD)).json.data!.signIn.token as string;
    const SESSIONS = `query($userId: ID) { sessions(userId: $userId) { id userId createdAt lastUsedAt expiresAt clientAddress current revoked } }`;
    const listed = await post(SESSIONS, {}, { ...bearer(mine), 'x-forwarded-for': here });
    const sessions = listed.json.data!.sessions as Array<{
      id: string;
      userId: string;
      current: boolean;
      clientAddress: string;
      lastUsedAt: string | null;
      createdAt: string;
      expiresAt: string;
    }>;
    expect(sessions).toHaveLength(2);
    expect(sessions.map((session) => session.current)).toEqual([false, true]);
    expect(sessions[1]).toMatchObject({ userId: principal.userId, clientAddress: here, revoked: false });
    expect(sessions[1].lastUsedAt).not.toBeNull(); // this very request used it
    expect(new Date(sessions[1].expiresAt).getTime() - new Date(sessions[1].createdAt).getTime()).toBe(12 * 3_600_000);

    // A viewer sees and ends only their own.
    const { principal: someoneElse } = await createUser('viewer');
    expect((await gqlWith(mine, SESSIONS, { userId: someoneElse.userId })).json.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const adminsView = await t.gql<{ sessions: Array<{ id: string }> }>(SESSIONS, { userId: principal.userId });
    expect(adminsView.data?.sessions.map((session) => session.id)).toEqual(sessions.map((session) => session.id));
    await t.adminToken();
    const [adminSession] = (await t.gql<{ sessions: Array<{ id: string }> }>(SESSIONS)).data!.sessions;
    expect(
      (await gqlWith(mine, `mutation($id: ID!) { revokeSession(id: $id) { id } }`, { id: adminSession.id })).json.errors?.[0].extensions
        ?.code,
    ).toBe('FORBIDDEN');

    const revoked = await gqlWith(mine, `mutation($id: ID!) { revokeSession(id: $id) { id revoked } }`, { id: sessions[0].id });
    expect(revoked.json.data).toEqual({ revokeSession: { id: sessions[0].id, revoked: true } });
    expect((await gqlWith(other, `{ me { actor } }`)).status).toBe(401);
    expect((await auditRows('session.revoked', sessions[0].id)).map((row) => row.actor)).toEqual([`user:${email}`]);

    // An admin ends anyone's session.
    const byAdmin = await t.gql(`mutation($id: ID!) { revokeSession(id: $id) { revoked } }`, { id: sessions[1].id });
    expect(byAdmin.errors).toBeUndefined();
    expect((await gqlWith(mine, `{ me { actor } }`)).status).toBe(401);
    expect((await t.gql(`mutation { revokeSession(id: "999999") { id } }`)).errors?.[0].extensions).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'SESSION_NOT_FOUND',
    });
  });
});
