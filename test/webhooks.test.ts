import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DELIVERY_FIELDS, type DeliveryResult, type ReceivedRequest, verifies, WebhookHarness } from './support/webhook-harness';
import { until } from './support/wait';

/*
 * Qualified-lead webhooks end to end: events, signed deliveries with retries, ping, secret rotation,
 * redelivery and deactivation. Receivers and the app's DNS: test/support/webhook-harness.ts; which
 * receivers may be reached: webhook-targets.test.ts.
 */

const h = new WebhookHarness();
const { attemptsByEvent, createEndpoint, held, ping, received, requestFor, requests } = h;

beforeAll(() => h.start());
afterAll(() => h.close());

describe('qualified-lead webhooks', () => {
  it('refuses a bad endpoint naming the fields', async () => {
    const result = await h.t.gql(
      `mutation { createWebhookEndpoint(input: { name: "", url: "ftp://x", events: ["lead.won"] }) { secret } }`,
    );
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.path).sort()).toEqual(['input.events[0]', 'input.name', 'input.url']);
    expect(await h.t.sql('SELECT 1 FROM webhook_endpoint')).toHaveLength(0);
  });

  it('delivers each event signed, retrying with backoff after failures, and logs every attempt', async () => {
    const created = await h.t.gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      { input: { name: 'crm', url: h.receiverUrl, events: ['lead.qualified', 'lead.sales_ready'] } },
    );
    expect(created.errors).toBeUndefined();
    h.secret = created.data!.createWebhookEndpoint.secret;
    expect(h.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const upsert = await h.t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { score { total qualified cell } } }`, {
      input: {
        externalId: 'hook-1',
        email: 'ceo@bigcorp.com',
        attributes: {
          industry: 'software',
          companySize: 800,
          seniority: 'c_level',
          jobTitle: 'CEO',
          department: 'executive',
          country: 'US',
          technologies: ['salesforce'],
          budgetConfirmed: true,
          timeline: 'this_quarter',
        },
      },
    });
    expect(upsert.errors).toBeUndefined();
    const now = Date.now();
    const activity = (type: string, n: number) => ({
      leadExternalId: 'hook-1',
      type,
      occurredAt: new Date(now - n * 60_000).toISOString(),
      idempotencyKey: `hook-1-${n}`,
    });
    const recorded = await h.t.gql<{ recordActivities: { leads: Array<{ score: { qualified: boolean; cell: string; action: string } }> } }>(
      `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { leads { score { qualified cell action } } } }`,
      {
        input: [
          activity('DEMO_REQUEST', 1),
          activity('PRICING_PAGE_VIEW', 2),
          activity('PRICING_PAGE_VIEW', 3),
          activity('WEBINAR_ATTENDANCE', 4),
          activity('EMAIL_CLICK', 5),
        ],
      },
    );
    expect(recorded.errors).toBeUndefined();
    const score = recorded.data!.recordActivities.leads[0].score;
    expect(score.qualified).toBe(true);
    expect(score.action).toBe('send_to_sales');

    // The events were written in the scoring transaction.
    const events = await h.t.sql<{ type: string }>(`SELECT type FROM outbox_event ORDER BY type`);
    expect(events.map((e) => e.type)).toEqual(['lead.qualified', 'lead.sales_ready']);

    await until(async () => received.filter((r) => r.status === 200).length === 2, 'both events delivered');
    const accepted = received.filter((r) => r.status === 200);
    expect(new Set(accepted.map((r) => r.eventId)).size).toBe(2);
    expect(accepted.map((r) => r.type).sort()).toEqual(['lead.qualified', 'lead.sales_ready']);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    expect(received.every((r) => r.body.lead.externalId === 'hook-1' && r.body.score.qualified)).toBe(true);
    for (const [, attempts] of attemptsByEvent) expect(attempts).toBe(3);

    const deliveryLog = async () =>
      (
        await h.t.gql<{
          webhookDeliveries: { edges: Array<{ node: { status: string; attempts: number; lastStatusCode: number } }> };
        }>(`{ webhookDeliveries(first: 10) { edges { node { status attempts lastStatusCode eventType } } } }`)
      ).data!.webhookDeliveries.edges.map((e) => e.node);
    // The receiver has answered before the sender records the attempt: wait until the log has both.
    await until(async () => (await deliveryLog()).filter((d) => d.status === 'delivered').length === 2, 'both deliveries recorded');
    expect(await deliveryLog()).toEqual([
      expect.objectContaining({ status: 'delivered', attempts: 3, lastStatusCode: 200 }),
      expect.objectContaining({ status: 'delivered', attempts: 3, lastStatusCode: 200 }),
    ]);
  });

  it('raises nothing for a lead that stays qualified', async () => {
    const before = (await h.t.sql<{ n: number }>('SELECT count(*)::int AS n FROM outbox_event'))[0].n;
    await h.t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { qualified } } }`, {
      input: { leadExternalId: 'hook-1', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'hook-1-page' },
    });
    expect((await h.t.sql<{ n: number }>('SELECT count(*)::int AS n FROM outbox_event'))[0].n).toBe(before);
  });
});

describe('webhook ping, rotation, redelivery and deactivation', () => {
  it('pings an endpoint now with a signed ping event and answers the result', async () => {
    const { id, secret: pingSecret } = await createEndpoint('ping me', `${h.receiverBase}/ok`);
    const delivery = await ping(id);
    expect(delivery).toMatchObject({
      eventType: 'ping',
      leadId: null,
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      redeliveryOf: null,
    });
    const request = requestFor(delivery.eventId)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(pingSecret).verify(request.body, request.headers)).toEqual({
      id: delivery.eventId,
      type: 'ping',
      occurredAt: expect.any(String),
      endpoint: { id, name: 'ping me' },
    });
    const audit = await h.t.sql<{ action: string }>(
      `SELECT action FROM audit_log WHERE entity_type = 'webhook_endpoint' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((row) => row.action)).toEqual(['webhook.created', 'webhook.pinged']);
  });

  it('rotates the secret: both verify during the overlap, only the new one after it', async () => {
    const { id, secret: first } = await createEndpoint('rotating', `${h.receiverBase}/ok`);
    const rotate = (overlapHours: number) =>
      h.t.gql<{ rotateWebhookSecret: { secret: string; endpoint: { previousSecretValidUntil: string | null } } }>(
        `mutation($id: ID!, $overlapHours: Float) { rotateWebhookSecret(id: $id, overlapHours: $overlapHours) { secret endpoint { previousSecretValidUntil } } }`,
        { id, overlapHours },
      );
    const rotated = await rotate(1);
    expect(rotated.errors).toBeUndefined();
    const second = rotated.data!.rotateWebhookSecret.secret;
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.data!.rotateWebhookSecret.endpoint.previousSecretValidUntil!)).toBeGreaterThan(Date.now() + 50 * 60_000);

    const during = requestFor((await ping(id)).eventId)!;
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(first, during.body, during.headers)).toBe(true);
    expect(verifies(second, during.body, during.headers)).toBe(true);

    // An overlap of about a second: ping until a delivery carries one signature.
    const third = (await rotate(0.0003)).data!.rotateWebhookSecret.secret;
    const pinged: ReceivedRequest[] = [];
    await until(async () => {
      const request = requestFor((await ping(id)).eventId)!;
      pinged.push(request);
      return request.headers['webhook-signature'].split(' ').length === 1;
    }, 'the overlap to end');
    const after = pinged.at(-1)!;
    expect(verifies(third, after.body, after.headers)).toBe(true);
    expect(verifies(second, after.body, after.headers)).toBe(false);
    expect(verifies(first, after.body, after.headers)).toBe(false);

    const audit = await h.t.sql<{ action: string; text: string }>(
      `SELECT action, audit_log::text AS text FROM audit_log WHERE entity_id = $1 AND action = 'webhook.secret_rotated'`,
      [id],
    );
    expect(audit).toHaveLength(2);
    for (const secretValue of [first, second, third]) expect(audit.every((row) => !row.text.includes(secretValue.slice(6)))).toBe(true);
  });

  it('redelivers one event as a new delivery with the same event id', async () => {
    const [original] = await h.t.sql<{ id: string; eventId: string }>(
      `SELECT d.id::text AS id, d.event_id::text AS "eventId" FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE e.type = 'lead.qualified' AND d.status = 'delivered'`,
    );
    const before = received.filter((r) => r.eventId === original.eventId).length;
    const result = await h.t.gql<{ redeliverWebhook: DeliveryResult }>(
      `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { ${DELIVERY_FIELDS} } }`,
      { id: original.id },
    );
    expect(result.errors).toBeUndefined();
    const redelivery = result.data!.redeliverWebhook;
    expect(redelivery).toMatchObject({
      eventId: original.eventId,
      eventType: 'lead.qualified',
      status: 'pending',
      attempts: 0,
      redeliveryOf: original.id,
    });
    expect(redelivery.id).not.toBe(original.id);
    await until(
      async () =>
        (await h.t.sql<{ status: string }>(`SELECT status FROM webhook_delivery WHERE id = $1::bigint`, [redelivery.id]))[0].status ===
        'delivered',
      'the redelivery',
    );
    const again = received.filter((r) => r.eventId === original.eventId);
    expect(again).toHaveLength(before + 1);
    expect(again.at(-1)).toMatchObject({
      status: 200,
      signatureValid: true,
      body: expect.objectContaining({ lead: expect.objectContaining({ externalId: 'hook-1' }) }),
    });
    const audit = await h.t.sql(`SELECT 1 FROM audit_log WHERE action = 'webhook.redelivered' AND summary LIKE $1`, [
      `%${original.eventId}%`,
    ]);
    expect(audit).toHaveLength(1);
  });

  it('deactivation cancels a pending delivery: its queued retry stops and nothing more is sent', async () => {
    const { id } = await createEndpoint('flaky', `${h.receiverBase}/hold`);
    const pinged = await ping(id);
    expect(pinged).toMatchObject({ status: 'failed', lastStatusCode: 503 });
    const result = await h.t.gql<{ redeliverWebhook: DeliveryResult }>(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, {
      id: pinged.id,
    });
    const deliveryId = result.data!.redeliverWebhook.id;
    // The queued attempt reaches the receiver, which holds its answer while the endpoint is switched off.
    await until(async () => held.length === 1, 'the queued attempt');
    const deactivated = await h.t.gql(`mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: false) { active } }`, { id });
    expect(deactivated.errors).toBeUndefined();
    const row = async () =>
      (
        await h.t.sql<{ status: string; attempts: number; lastError: string }>(
          `SELECT status, attempts, last_error AS "lastError" FROM webhook_delivery WHERE id = $1::bigint`,
          [deliveryId],
        )
      )[0];
    expect(await row()).toMatchObject({ status: 'cancelled', lastError: 'endpoint deactivated' });
    held[0].writeHead(503).end();
    // The attempt ends without asking for a retry: its queue job completes.
    await until(
      async () =>
        (
          await h.t.sql<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'webhook-delivery' AND data->>'deliveryId' = $1`, [
            deliveryId,
          ])
        )[0]?.state === 'completed',
      'the delivery job to complete',
    );
    expect(await row()).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(requests.filter((request) => request.path === '/hold')).toHaveLength(2);
    const refused = await h.t.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: deliveryId });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'WEBHOOK_ENDPOINT_INACTIVE' });
  });

  it('is admin-only and refuses bad arguments by name', async () => {
    const viewer: UserPrincipal = { kind: 'user', userId: h.t.admin.userId, email: 'viewer@test.local', name: 'Viewer', role: 'viewer' };
    for (const mutation of [
      'rotateWebhookSecret(id: "1") { secret }',
      'pingWebhookEndpoint(id: "1") { id }',
      'redeliverWebhook(deliveryId: "1") { id }',
    ]) {
      const result = await h.t.gqlAs(viewer, `mutation { ${mutation} }`);
      expect(result.errors?.[0].extensions?.code, mutation).toBe('FORBIDDEN');
    }
    const overlap = await h.t.gql(`mutation { rotateWebhookSecret(id: "1", overlapHours: -1) { secret } }`);
    expect(overlap.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'overlapHours', message: 'must be between 0 and 720' }],
    });
    for (const [mutation, path] of [
      ['rotateWebhookSecret(id: "999999") { secret }', 'id'],
      ['pingWebhookEndpoint(id: "x") { id }', 'id'],
      ['redeliverWebhook(deliveryId: "999999") { id }', 'deliveryId'],
    ]) {
      const result = await h.t.gql(`mutation { ${mutation} }`);
      expect(result.errors?.[0].extensions, mutation).toMatchObject({ code: 'NOT_FOUND', problems: [{ path }] });
    }
  });
});
