import type { Clock } from '../common/clock';

/**
 * When failed sign-ins start to cost a wait. Each counter allows `free` failures, then locks for
 * `baseSeconds` doubling with every further failure, up to `capSeconds`. Attempts refused during a
 * lock are not counted, so a lock always ends; a counter is forgotten after `forgetAfterMs` without
 * failures.
 */
export const SIGN_IN_THROTTLE = {
  /** One account from one address: the guessing attacker. ~15 failures reach the 15-minute cap. */
  pair: { free: 5, baseSeconds: 1, capSeconds: 15 * 60 },
  /**
   * One account from any address: a distributed guess. Capped at one minute so that failures
   * elsewhere can only delay the owner briefly, and not at all from an address they signed in from.
   */
  account: { free: 20, baseSeconds: 1, capSeconds: 60 },
  /** One address against any account: password spraying. */
  address: { free: 30, baseSeconds: 1, capSeconds: 15 * 60 },
  forgetAfterMs: 60 * 60 * 1000,
  /** An address that signed in to an account is exempt from that account's own lock for this long. */
  trustedForMs: 30 * 24 * 60 * 60 * 1000,
  /** Entries kept per table; beyond it, ended entries are swept, then the oldest dropped. */
  maxEntries: 100_000,
} as const;

interface Rule {
  free: number;
  baseSeconds: number;
  capSeconds: number;
}

interface Counter {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

/** A bounded map that drops entries ended by `isDone`, then the oldest, when full. */
class BoundedTable<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly isDone: (value: V, now: number) => boolean) {}

  get(key: string, now: number): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && this.isDone(value, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key); // re-inserted last: the oldest entries are the first in the map
    if (this.entries.size >= SIGN_IN_THROTTLE.maxEntries) {
      for (const [k, v] of this.entries) if (this.isDone(v, now)) this.entries.delete(k);
      for (const k of this.entries.keys()) {
        if (this.entries.size < SIGN_IN_THROTTLE.maxEntries) break;
        this.entries.delete(k);
      }
    }
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export interface ThrottleVerdict {
  /** 0 when the attempt may go ahead. */
  retryAfterSeconds: number;
}

/**
 * Failed sign-ins per (account, address), per account and per address, in this process's memory.
 * Accounts are counted by the normalised email whether or not a user has it, so the throttle says
 * nothing about which emails exist.
 */
export class SignInThrottle {
  private readonly counters = new BoundedTable<Counter>(
    (counter, now) => now >= counter.lockedUntil && now - counter.lastFailureAt > SIGN_IN_THROTTLE.forgetAfterMs,
  );
  /** `email address` -> when that address last signed in to that account. */
  private readonly trusted = new BoundedTable<number>((at, now) => now - at > SIGN_IN_THROTTLE.trustedForMs);

  constructor(private readonly clock: Clock) {}

  /** How long this attempt must wait; an attempt refused here must not be verified nor counted. */
  check(email: string, address: string): ThrottleVerdict {
    const now = this.clock.now().getTime();
    const locks = [this.lockedUntil(`p ${email} ${address}`, now), this.lockedUntil(`a ${address}`, now)];
    if (this.trusted.get(`${email} ${address}`, now) === undefined) locks.push(this.lockedUntil(`e ${email}`, now));
    const until = Math.max(...locks);
    return { retryAfterSeconds: until > now ? Math.ceil((until - now) / 1000) : 0 };
  }

  recordFailure(email: string, address: string): void {
    const now = this.clock.now().getTime();
    this.fail(`p ${email} ${address}`, SIGN_IN_THROTTLE.pair, now);
    this.fail(`e ${email}`, SIGN_IN_THROTTLE.account, now);
    this.fail(`a ${address}`, SIGN_IN_THROTTLE.address, now);
  }

  /**
   * The account's counters start again; the address's does not, or an attacker holding one account
   * could clear their address between guesses at others.
   */
  recordSuccess(email: string, address: string): void {
    const now = this.clock.now().getTime();
    this.counters.delete(`p ${email} ${address}`);
    this.counters.delete(`e ${email}`);
    this.trusted.set(`${email} ${address}`, now, now);
  }

  private lockedUntil(key: string, now: number): number {
    return this.counters.get(key, now)?.lockedUntil ?? 0;
  }

  private fail(key: string, rule: Rule, now: number): void {
    const counter = this.counters.get(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
    counter.failures += 1;
    counter.lastFailureAt = now;
    if (counter.failures >= rule.free) {
      const seconds = Math.min(rule.capSeconds, rule.baseSeconds * 2 ** Math.min(30, counter.failures - rule.free));
      counter.lockedUntil = Math.max(counter.lockedUntil, now + seconds * 1000);
    }
    this.counters.set(key, counter, now);
  }
}
