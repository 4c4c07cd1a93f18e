import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../server/src/app';
import type { Role, UserPrincipal } from '../server/src/auth/principal';
import { createLogger } from '../server/src/common/logger';
import { type LiveClient, LEADS_CHANGED, liveClient, RESCORE, receive, subscribed } from './support/live';
import { ok } from './support/rule-sets';
import { LEAD_INPUTS, PUBLISH, TARGET_INDUSTRY_LEADS, type Job, workflowHelpers } from './support/ruleset-workflow';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * Re-score progress and the score changes of a publish, heard live. With PostgreSQL the re-score
 * runs in a second process (another App on the same database, its workers started; this one runs
 * none), so the events reach the API's subscribers through LISTEN/NOTIFY. With PGlite (one process)
 * the app runs its own workers.
 */

let t: TestApp;
let worker: App | null = null;
let people: { marketing1: UserPrincipal; marketing2: UserPrincipal; sales1: UserPrincipal; viewer1: UserPrincipal };
let viewerToken: string;
const clients: LiveClient[] = [];
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  const postgres = Boolean(process.env.DATABASE_URL);
  t = await createTestApp({ workers: !postgres });
  if (postgres) {
    const url = (t.app.dataSource.options as { url: string }).url;
    worker = await createApp({ database: { kind: 'postgres', url }, logger: createLogger('silent') });
    await worker.startWorkers();
  }
  async function user(name: string, role: Role): Promise<UserPrincipal> {
    const created = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: PASSWORD });
    return { kind: 'user', userId: created.id, email: created.email, name, role };
  }
  people = {
    marketing1: await user('marketing1', 'marketing'),
    marketing2: await user('marketing2', 'marketing'),
    sales1: await user('sales1', 'sales'),
    viewer1: await user('viewer1', 'viewer'),
  };
  for (const { input } of LEAD_INPUTS)
    ok(await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, { input }));
  viewerToken = (await t.app.services.auth.signIn('viewer1@acme.io', PASSWORD)).token;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await worker?.close();
  await t?.close();
});

const { draftRaisedRule, reviewAndApprove } = workflowHelpers(() => ({ t, ...people }));

describe('a publish, live', () => {
  it('a viewer sees the re-score progress to completion and the leads whose score the publish changed', async () => {
    const { draft } = await draftRaisedRule();
    await reviewAndApprove(draft.id, people.marketing1);
    const server = await t.http();
    const live = liveClient(server.graphqlUrl, { authorization: `Bearer ${viewerToken}` });
    clients.push(live);
    type Changed = { leadsChanged: { leadId: string; kind: string } };
    const changes = receive<Changed>(live, LEADS_CHANGED, { filter: null });
    await subscribed(t, 1);

    const { publishVersion } = ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: draft.id }));
    type Progress = { rescoreProgress: { id: string; status: string; doneLeads: number; totalLeads: number; percent: number } };
    const progress = receive<Progress>(live, RESCORE, { jobId: publishVersion.rescoreJob.id });
    await until(async () => progress.completed, 'the progress subscription completes with the job', 60_000);
    expect(progress.errors).toEqual([]);
    const last = progress.events.at(-1)?.rescoreProgress;
    expect(last).toMatchObject({ id: publishVersion.rescoreJob.id, status: 'completed', percent: 100 });
    expect(last?.doneLeads).toBe(last?.totalLeads);

    // The leads of the target industries gained points: each is reported as changing within "all leads".
    const targets = await t.sql<{ id: string }>(`SELECT id::text AS id FROM lead WHERE external_id = ANY($1)`, [TARGET_INDUSTRY_LEADS]);
    await until(
      async () => targets.every(({ id }) => changes.events.some((event) => event.leadsChanged.leadId === id)),
      'every changed lead is heard',
    );
    expect(changes.errors).toEqual([]);
    expect(new Set(changes.events.map((event) => event.leadsChanged.kind))).toEqual(new Set(['CHANGED']));
  });
});
