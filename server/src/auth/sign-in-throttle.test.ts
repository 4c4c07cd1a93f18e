import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/test-app';
import {
  startAuthTestApp,
  advanceClock,
  post,
  PASSWORD,
  createUser,
  newAddress,
  signInFrom,
  refusal,
  locked,
  wrong,
  bearer,
} from './testing/auth-test-app';

let t: TestApp;

beforeAll(async () => {
  ({ t } = await startAuthTestApp());
});
afterAll(async () => {
  await t?.close();
});

describe('sign-in throttling', () => {
  it('after 5 wrong passwords an account is locked from that address, 1 s doubling per further failure; refused attempts do not count', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect(refusal(await signInFrom(address, email, `wrong password ${i}`))).toEqual(wrong);
    // Locked: even the right password is refused, with when to try again.
    const refused = await signInFrom(address, email, PASSWORD);
    expect(refusal(refused)).toEqual(locked(1));
    expect(refused.json.errors?.[0].message).toMatch(/^Too many failed sign-ins; try again in 1 s \(at \d{4}-\d\d-\d\dT/);
    expect(refused.json.data).toBeNull();
    // Attempts refused during a lock change nothing: the next lock is 2 s, not longer.
    for (let i = 0; i < 10; i++) expect(refusal(await signInFrom(address, email, 'wrong again!'))).toEqual(locked(1));
    for (const seconds of [2, 4, 8]) {
      advanceClock(seconds * 500 + 1_000);
      expect(refusal(await signInFrom(address, email, 'wrong password!'))).toEqual(wrong);
      expect(refusal(await signInFrom(address, email, PASSWORD))).toEqual(locked(seconds));
    }
    // Once the lock has run out, the right password works and the count starts again.
    advanceClock(8_001);
    const signedIn = await signInFrom(address, email, PASSWORD);
    expect(signedIn.json.errors).toBeUndefined();
    expect(signedIn.json.data?.signIn.token).toMatch(/^lss_/);
    expect(refusal(await signInFrom(address, email, 'wrong password!'))).toEqual(wrong);
  });

  it('the lock grows to at most 15 minutes however long the guessing goes on', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    const locks: number[] = [];
    // Guess on; whenever refused, note for how long and come back just after.
    for (let i = 0; locks.length < 16; i++) {
      const answer = refusal(await signInFrom(address, email, `guess ${i}`));
      if (answer.status === 429) {
        locks.push(answer.retryAfterSeconds as number);
        advanceClock((answer.retryAfterSeconds as number) * 1000 + 1);
      } else {
        expect(answer).toEqual(wrong);
      }
    }
    expect(locks.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(locks.slice(10)).toEqual([900, 900, 900, 900, 900, 900]);
    // After the last lock, the owner signs in.
    expect((await signInFrom(address, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
  });

  it("an attacker's failures cannot lock the owner out: not from an address they signed in from, at most 60 s from a new one", async () => {
    const { email } = await createUser('marketing');
    const home = newAddress();
    expect((await signInFrom(home, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
    // Wrong passwords for the account, each from a new address so that no address is locked.
    const locks: number[] = [];
    for (let i = 0; locks.length < 9; i++) {
      const answer = refusal(await signInFrom(newAddress(), email, `spray ${i}`));
      if (answer.status === 429) {
        locks.push(answer.retryAfterSeconds as number);
        advanceClock((answer.retryAfterSeconds as number) * 1000 + 1);
      }
    }
    expect(locks).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(refusal(await signInFrom(newAddress(), email, 'spray on'))).toEqual(wrong);
    expect(refusal(await signInFrom(newAddress(), email, PASSWORD))).toEqual(locked(60));
    // The owner, from where they signed in before, is not held up.
    expect((await signInFrom(home, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
    expect(refusal(await signInFrom(newAddress(), email, 'spray on'))).toEqual(wrong);
    advanceClock(60_001);
    expect((await signInFrom(newAddress(), email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
  });

  it('an unknown email is answered and throttled exactly like a known one', async () => {
    const { email } = await createUser('sales');
    const answers = async (target: string) => {
      const address = newAddress();
      const seen = [];
      for (let i = 0; i < 7; i++) {
        const result = await signInFrom(address, target, 'not the password');
        seen.push({ ...refusal(result), message: result.json.errors?.[0].message.replace(/\(at [^)]+\)/, '(at …)') });
      }
      advanceClock(1_001);
      const after = await signInFrom(address, target, 'not the password');
      seen.push({ ...refusal(after), message: after.json.errors?.[0].message });
      return seen;
    };
    const known = await answers(email);
    const unknown = await answers('nobody-here@acme.io');
    expect(unknown).toEqual(known);
    expect(known.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 200]);
  });

  it('changePassword checks the current password under the same throttle', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    const token = (await signInFrom(address, email, PASSWORD)).json.data!.signIn.token as string;
    const change = (current: string) =>
      post(
        `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { id } }`,
        { c: current, n: 'a brand new password' },
        { ...bearer(token), 'x-forwarded-for': address },
      );
    for (let i = 0; i < 5; i++) {
      expect((await change(`not it ${i}`)).json.errors?.[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD', problems: [{ path: 'currentPassword' }] },
      });
    }
    expect(refusal(await change(PASSWORD))).toEqual(locked(1));
    advanceClock(1_001);
    expect((await change(PASSWORD)).json.errors).toBeUndefined();
  });
});
