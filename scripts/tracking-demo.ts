import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Analytics } from '@segment/analytics-node';

/*
 * `npm run tracking:demo`: what a website or product backend does with the Segment SDK it already
 * has. Against a running service (`npm run demo:api`), it sends identify, track and page calls
 * through the real @segment/analytics-node client, then prints how the leads' scores moved.
 *
 * API_URL (default http://127.0.0.1:4000) names the service. KEY is an API key with the
 * `leads:write` and `scores:read` scopes; without it the script signs in as ADMIN_EMAIL /
 * ADMIN_PASSWORD (the demo admin by default) and creates one.
 */

export interface TrackingDemoOptions {
  apiUrl: string;
  /** An API key with leads:write (the write key) and scores:read (to read the scores back). */
  key: string;
  /** Distinguishes this run's leads from earlier runs'. */
  runId?: string;
  log?: (line: string) => void;
}

export interface LeadScoreView {
  externalId: string;
  total: number;
  cell: string;
  band: string;
  activities: number;
}

export interface TrackingDemoResult {
  before: LeadScoreView[];
  after: LeadScoreView[];
}

async function graphql<T>(
  apiUrl: string,
  authorization: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${apiUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const answer = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (answer.errors?.length || !answer.data) {
    throw new Error(`GraphQL: ${answer.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`}`);
  }
  return answer.data;
}

/** Signs in and creates an API key that may write activities and read scores. */
export async function createDemoKey(apiUrl: string, email: string, password: string): Promise<string> {
  const { signIn } = await graphql<{ signIn: { token: string } }>(
    apiUrl,
    null,
    'mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
    { email, password },
  );
  const { createApiKey } = await graphql<{ createApiKey: { secret: string } }>(
    apiUrl,
    `Bearer ${signIn.token}`,
    'mutation($name: String!) { createApiKey(input: { name: $name, scopes: [LEADS_WRITE, SCORES_READ] }) { secret } }',
    { name: `tracking-demo-${Date.now()}` },
  );
  return createApiKey.secret;
}

const LEAD_QUERY = `query($externalId: String!) {
  lead(externalId: $externalId) { externalId score { total cell band } activities(first: 1) { totalCount } } }`;

async function readScores(options: TrackingDemoOptions, externalIds: string[]): Promise<LeadScoreView[]> {
  const views: LeadScoreView[] = [];
  for (const externalId of externalIds) {
    const { lead } = await graphql<{
      lead: { externalId: string; score: { total: number; cell: string; band: string } | null; activities: { totalCount: number } } | null;
    }>(options.apiUrl, `Bearer ${options.key}`, LEAD_QUERY, { externalId });
    views.push({
      externalId,
      total: lead?.score?.total ?? 0,
      cell: lead?.score?.cell ?? '-',
      band: lead?.score?.band ?? '-',
      activities: lead?.activities.totalCount ?? 0,
    });
  }
  return views;
}

/** Two people of one company: one identified before they act, one browsing anonymously first. */
export async function runTrackingDemo(options: TrackingDemoOptions): Promise<TrackingDemoResult> {
  const log = options.log ?? (() => undefined);
  const run = options.runId ?? randomUUID().slice(0, 8);
  const ana = `tracking-demo-${run}-ana`;
  const ben = `tracking-demo-${run}-ben`;
  const errors: unknown[] = [];
  const analytics = new Analytics({
    writeKey: options.key,
    host: options.apiUrl,
    path: '/v1/batch',
    maxEventsInBatch: 20,
    flushInterval: 50,
  });
  analytics.on('error', (error) => errors.push(error));
  const flushed = async () => {
    await analytics.flush();
    if (errors.length > 0) throw new Error(`the tracking API refused events: ${errors.map(String).join('; ')}`);
  };

  analytics.identify({
    userId: ana,
    traits: { email: `ana.${run}@acme-demo.io`, title: 'VP Sales', industry: 'software', employees: 800 },
  });
  analytics.identify({
    userId: ben,
    traits: { email: `ben.${run}@acme-demo.io`, title: 'Sales Operations Manager', industry: 'software' },
  });
  await flushed();
  const before = await readScores(options, [ana, ben]);
  log('after identify (fit only):');
  for (const view of before) log(`  ${view.externalId}: ${view.total} points, ${view.cell}, ${view.band}`);

  const anonymousId = `visitor-${run}`;
  analytics.page({ anonymousId, name: 'Pricing', properties: { path: '/pricing' } });
  analytics.page({ anonymousId, name: 'Integrations', properties: { path: '/integrations/crm' } });
  analytics.track({ userId: ana, event: 'Webinar Attended', properties: { webinar: 'Scoring 101' } });
  analytics.track({ userId: ana, event: 'Email Link Clicked' });
  analytics.track({ userId: ana, event: 'Demo Requested', properties: { source: 'pricing page' } });
  analytics.page({ userId: ana, name: 'Pricing', properties: { path: '/pricing/enterprise' } });
  // The anonymous visitor signs up: its earlier pages now count for Ben.
  analytics.identify({ userId: ben, anonymousId, traits: { email: `ben.${run}@acme-demo.io` } });
  analytics.track({ userId: ben, event: 'Content Downloaded', properties: { asset: 'ROI guide' } });
  await analytics.closeAndFlush();
  if (errors.length > 0) throw new Error(`the tracking API refused events: ${errors.map(String).join('; ')}`);

  const after = await readScores(options, [ana, ben]);
  log('after track and page:');
  for (const [index, view] of after.entries()) {
    const change = view.total - before[index].total;
    log(
      `  ${view.externalId}: ${view.total} points (${change >= 0 ? '+' : ''}${change}), ${view.cell}, ${view.band}, ${view.activities} activities`,
    );
  }
  return { before, after };
}

async function main(): Promise<void> {
  const apiUrl = (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/graphql\/?$/, '').replace(/\/$/, '');
  const key =
    process.env.KEY ??
    (await createDemoKey(apiUrl, process.env.ADMIN_EMAIL ?? 'admin@demo.local', process.env.ADMIN_PASSWORD ?? 'demo-password'));
  await runTrackingDemo({ apiUrl, key, log: (line) => console.log(line) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error('Is the service running (npm run demo:api)? API_URL names it; KEY gives an API key.');
    process.exitCode = 1;
  });
}
