import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPE_HEADER } from '../server/src/webhooks/webhook-signature';
import { ASSIGN, ownerHelpers, type OwnerResult, SET_RULES } from './support/owners';
import { ok, onlyError } from './support/scores';
import { until } from './support/wait';
import { verifies, WebhookHarness } from './support/webhook-harness';

/*
 * Webhook endpoint filters (segment, cell, band) and the owners' events: lead.assigned (routing and
 * by hand) and score.band_changed, delivered signed to receivers on 127.0.0.1 only when the
 * endpoint's events and filter match. Receivers: test/support/webhook-harness.ts.
 */

const h = new WebhookHarness();
const { createLead, qualify, salesOwner } = ownerHelpers(() => h.t);
const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id events filter { segments cells bands } } }
}`;

interface Endpoint {
  id: string;
  secret: string;
}
const endpoints: Record<string, Endpoint> = {};
let inbound: OwnerResult[];

beforeAll(async () => {
  await h.start();
  inbound = [(await salesOwner('inbound', 'Filter Ana')).owner, (await salesOwner('inbound', 'Filter Ben')).owner];
  ok(await h.t.gql(SET_RULES, { rules: [{ name: 'All to inbound', team: 'inbound' }] }));
});
afterAll(() => h.close());

async function create(name: string, events: string[], filter?: Record<string, unknown>): Promise<Endpoint> {
  const created = ok(
    await h.t.gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(CREATE, {
      input: { name, url: `${h.receiverBase}/ok`, events, filter },
    }),
  ).createWebhookEndpoint;
  return { id: created.endpoint.id, secret: created.secret };
}

/** Waits until every outbox event is dispatched and every delivery delivered; then the deliveries are final. */
async function settled(): Promise<void> {
  await until(async () => {
    const [row] = await h.t.sql<{ open: number }>(
      `SELECT (SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL)::int
            + (SELECT count(*) FROM webhook_delivery WHERE status <> 'delivered')::int AS open`,
    );
    return row.open === 0;
  }, 'outbox dispatched and deliveries delivered');
}

/** What an endpoint got: event type and lead external id of each delivery, sorted. */
async function got(endpoint: Endpoint): Promise<string[]> {
  const rows = await h.t.sql<{ type: string; lead: string }>(
    `SELECT e.type, e.payload->'lead'->>'externalId' AS lead FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
      WHERE d.endpoint_id = $1::bigint ORDER BY 1, 2`,
    [endpoint.id],
  );
  return rows.map((row) => `${row.type} ${row.lead}`);
}

describe('webhook endpoint filters and owner events', () => {
  it('refuses unknown events, cells and bands and empty lists, naming each, and writes nothing', async () => {
    const error = onlyError(
      await h.t.gql(CREATE, {
        input: {
          name: 'bad',
          url: `${h.receiverBase}/ok`,
          events: ['lead.assigned', 'lead.won'],
          filter: { segments: [], cells: ['A1', 'Z9'], bands: ['tepid'] },
        },
      }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual([
      'input.events[1]',
      'input.filter.segments',
      'input.filter.cells[1]',
      'input.filter.bands[0]',
    ]);
    expect(await h.t.sql('SELECT 1 FROM webhook_endpoint')).toHaveLength(0);
  });

  it('delivers assignment and band-change events only to the endpoints whose filter matches', async () => {
    endpoints.all = await create('all', ['lead.assigned', 'score.band_changed']);
    endpoints.hot = await create('hot bands', ['score.band_changed'], { bands: ['hot'] });
    endpoints.enterprise = await create('enterprise', ['lead.assigned', 'score.band_changed'], { segments: ['enterprise'] });
    endpoints.b1 = await create('B1 only', ['lead.assigned'], { cells: ['B1'] });
    endpoints.qualified = await create('qualified only', ['lead.qualified']);
    const created = ok(
      await h.t.gql<{ webhookEndpoints: Array<{ name: string; filter: { bands: string[] | null } }> }>(
        '{ webhookEndpoints { name filter { segments cells bands } } }',
      ),
    ).webhookEndpoints;
    expect(created.find((endpoint) => endpoint.name === 'hot bands')?.filter).toEqual({ segments: null, cells: null, bands: ['hot'] });

    await createLead('wf-plain');
    await createLead('wf-ent', { segment: 'enterprise' });
    for (const externalId of ['wf-plain', 'wf-ent'])
      expect(await qualify(externalId)).toMatchObject({ qualified: true, cell: 'A1', band: 'hot' });
    await settled();

    expect(await got(endpoints.all)).toEqual([
      'lead.assigned wf-ent',
      'lead.assigned wf-plain',
      'score.band_changed wf-ent',
      'score.band_changed wf-plain',
    ]);
    expect(await got(endpoints.hot)).toEqual(['score.band_changed wf-ent', 'score.band_changed wf-plain']);
    expect(await got(endpoints.enterprise)).toEqual(['lead.assigned wf-ent', 'score.band_changed wf-ent']);
    expect(await got(endpoints.b1)).toEqual([]);
    expect(await got(endpoints.qualified)).toEqual(['lead.qualified wf-ent', 'lead.qualified wf-plain']);

    // What the receiver got for the enterprise lead's assignment: signed, with owner, rule and score.
    const [delivery] = await h.t.sql<{ eventId: string }>(
      `SELECT d.event_id::text AS "eventId" FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
        WHERE d.endpoint_id = $1::bigint AND e.type = 'lead.assigned'`,
      [endpoints.enterprise.id],
    );
    const request = h.requestFor(delivery.eventId);
    expect(request?.headers[EVENT_TYPE_HEADER]).toBe('lead.assigned');
    expect(verifies(endpoints.enterprise.secret, request!.body, request!.headers)).toBe(true);
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({
      type: 'lead.assigned',
      lead: { externalId: 'wf-ent', segment: 'enterprise' },
      via: 'routing',
      rule: 'All to inbound',
      assignedBy: 'routing',
      previousOwnerId: null,
      score: { cell: 'A1', band: 'hot', qualified: true },
    });
    expect(inbound.map((owner) => owner.id)).toContain(body.owner.id);
    const band = await h.t.sql<{ payload: { previous: { band: string }; score: { band: string } } }>(
      `SELECT payload FROM outbox_event WHERE type = 'score.band_changed' AND payload->'lead'->>'externalId' = 'wf-plain'`,
    );
    expect(band[0].payload.previous.band).toBe('warm');
    expect(band[0].payload.score.band).toBe('hot');
  });

  it('raises lead.assigned for a reassignment by hand, and a changed filter applies to later events', async () => {
    const [lead] = await h.t.sql<{ id: string; owner: string }>(
      `SELECT id::text, owner_id::text AS owner FROM lead WHERE external_id = 'wf-ent'`,
    );
    const other = inbound.find((owner) => owner.id !== lead.owner) as OwnerResult;

    const refused = onlyError(
      await h.t.gql(`mutation($id: ID!) { setWebhookEndpointFilter(id: $id, filter: { bands: ["boiling"] }) { id } }`, {
        id: endpoints.b1.id,
      }),
    );
    expect(refused.extensions?.problems?.map((problem) => problem.path)).toEqual(['filter.bands[0]']);
    const changed = ok(
      await h.t.gql<{ setWebhookEndpointFilter: { filter: { cells: string[] | null; segments: string[] | null } } }>(
        `mutation($id: ID!) { setWebhookEndpointFilter(id: $id, filter: { cells: ["A1"], segments: ["enterprise"] }) { filter { cells segments } } }`,
        { id: endpoints.b1.id },
      ),
    ).setWebhookEndpointFilter;
    expect(changed.filter).toEqual({ cells: ['A1'], segments: ['enterprise'] });

    ok(await h.t.gql(ASSIGN, { leadId: lead.id, ownerId: other.id }));
    await settled();
    expect(await got(endpoints.b1)).toEqual(['lead.assigned wf-ent']);
    expect(await got(endpoints.enterprise)).toEqual(['lead.assigned wf-ent', 'lead.assigned wf-ent', 'score.band_changed wf-ent']);
    const [manual] = await h.t.sql<{ payload: Record<string, unknown> }>(
      `SELECT e.payload FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE d.endpoint_id = $1::bigint`,
      [endpoints.b1.id],
    );
    expect(manual.payload).toMatchObject({
      via: 'manual',
      rule: null,
      previousOwnerId: lead.owner,
      owner: { id: other.id },
      assignedBy: 'user:admin@test.local',
    });
    const audit = await h.t.sql<{ action: string }>(`SELECT action FROM audit_log WHERE action = 'webhook.filter_set'`);
    expect(audit).toHaveLength(1);
  });
});
