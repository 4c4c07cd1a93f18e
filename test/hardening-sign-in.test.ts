import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../server/src/http/http-server';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * A flood of wrong sign-ins must not delay anybody else's. As deployed behind a load balancer
 * (TRUST_PROXY), the attacker and the user come from different addresses: the attacker's requests
 * beyond two in progress are refused at once without hashing, so the user's sign-in waits for at
 * most the hashes already running.
 */

let t: TestApp;
let server: HttpServer;
const PASSWORD = 'the real password';
const SIGN_IN = `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;

beforeAll(async () => {
  process.env.TRUST_PROXY = 'loopback';
  t = await createTestApp();
  server = await t.http();
  await t.app.services.auth.createUser({ email: 'real@acme.io', name: 'Real User', role: 'viewer', password: PASSWORD });
  for (let i = 0; i < 10; i++)
    await t.app.services.auth.createUser({ email: `target${i}@acme.io`, name: `Target ${i}`, role: 'viewer', password: PASSWORD });
});
afterAll(async () => {
  await t?.close();
});

async function signIn(
  address: string,
  email: string,
  password: string,
): Promise<{ status: number; reason?: string; token?: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query: SIGN_IN, variables: { email, password } }),
  });
  const body = (await response.json()) as {
    data?: { signIn: { token: string } } | null;
    errors?: Array<{ extensions?: { reason?: string } }>;
  };
  return {
    status: response.status,
    reason: body.errors?.[0]?.extensions?.reason,
    token: body.data?.signIn.token,
    ms: performance.now() - started,
  };
}

/** Sends `count` requests at once and, once the first is answered, the real user's sign-in; returns its time and the flood's answers. */
async function duringFlood<T>(
  count: number,
  send: (i: number) => Promise<T>,
): Promise<{ real: Awaited<ReturnType<typeof signIn>>; flood: T[]; answeredBefore: number }> {
  let answered = 0;
  let firstAnswer!: () => void;
  const floodAnswering = new Promise<void>((resolve) => (firstAnswer = resolve));
  const flood = Array.from({ length: count }, (_, i) =>
    send(i).then((result) => {
      answered += 1;
      firstAnswer();
      return result;
    }),
  );
  await floodAnswering;
  const answeredBefore = answered;
  const real = await signIn('198.51.100.7', 'real@acme.io', PASSWORD);
  return { real, flood: await Promise.all(flood), answeredBefore };
}

describe('sign-in under a flood of wrong passwords', () => {
  it('200 concurrent wrong sign-ins hold up a correct sign-in from elsewhere hardly more than 200 trivial requests do', async () => {
    // The same number of requests that hash nothing: what 200 requests cost this (possibly busy) machine anyway.
    const control = await duringFlood(200, () =>
      fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }).then((response) => response.status),
    );
    expect(control.real.token).toMatch(/^lss_/);

    // The attacker: half at ten other accounts, half at the real user's own.
    const attacker = '203.0.113.66';
    const { real, flood, answeredBefore } = await duringFlood(200, (i) =>
      signIn(attacker, i % 2 ? `target${i % 10}@acme.io` : 'real@acme.io', `guess number ${i}`),
    );
    const health = await fetch(`${server.url}/healthz`);

    expect(real.token).toMatch(/^lss_/);
    expect(answeredBefore).toBeLessThan(200); // the real sign-in was sent during the flood
    // Within a second of the control on an idle machine; on a busy one both times stretch, so twice the control.
    expect(real.ms).toBeLessThan(2 * control.real.ms + 1_000);
    expect(health.status).toBe(200);
    expect(flood.every((result) => result.status < 500)).toBe(true);
    const refused = flood.filter((result) => result.reason === 'TOO_MANY_ATTEMPTS');
    const checked = flood.filter((result) => result.reason === 'INVALID_CREDENTIALS');
    expect(refused.length + checked.length).toBe(200);
    // Refused without hashing: only the few the gate let through were checked.
    expect(checked.length).toBeLessThan(20);
    expect(refused.every((result) => result.status === 429)).toBe(true);
    console.log(
      `200 wrong sign-ins: ${checked.length} checked, ${refused.length} refused at once; a real sign-in took ${Math.round(real.ms)} ms (${Math.round(control.real.ms)} ms during 200 trivial requests)`,
    );
  });
});
