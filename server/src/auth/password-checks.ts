import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock';
import { RateLimitedError } from '../common/errors';
import { AuthErrorCode } from './auth.errors';
import { HASHING_GATE_DEFAULTS, HashingGate, type HashingGateOptions } from './hashing-gate';
import { hashPassword, verifyPassword } from './passwords';
import { SignInThrottle } from './sign-in-throttle';

/**
 * Checking a password someone types (signing in, changing one's password): throttled per account
 * and address, hashed through the bounded gate, an unknown email costing as long as a wrong password.
 */
export class PasswordChecks {
  /** Verified against when the email is unknown, so a wrong email costs as long as a wrong password. */
  private decoyHash: Promise<string> | null = null;
  private readonly throttle: SignInThrottle;
  private readonly hashing: HashingGate;

  constructor(
    private readonly clock: Clock,
    hashing: HashingGateOptions = HASHING_GATE_DEFAULTS,
  ) {
    this.throttle = new SignInThrottle(clock);
    this.hashing = new HashingGate(hashing);
  }

  /** Hashing through the gate; refused at once (nothing computed) when this source or the queue is full. */
  async hashed<T>(source: string, work: () => Promise<T>): Promise<T> {
    const result = await this.hashing.tryRun(source, work);
    if (!result)
      throw new RateLimitedError(
        AuthErrorCode.TooManyAttempts,
        'Too many password checks in progress from this address; try again in 1 s',
        1,
      );
    return result.value;
  }

  refuseIfThrottled(email: string, address: string): void {
    const { retryAfterSeconds } = this.throttle.check(email, address);
    if (retryAfterSeconds > 0) {
      const at = new Date(this.clock.now().getTime() + retryAfterSeconds * 1000).toISOString();
      throw new RateLimitedError(
        AuthErrorCode.TooManyAttempts,
        `Too many failed sign-ins; try again in ${retryAfterSeconds} s (at ${at})`,
        retryAfterSeconds,
      );
    }
  }

  /**
   * Whether the password matches; an unknown user or one without a password (created by single
   * sign-on) is checked against a decoy, so it takes as long.
   */
  async verify(password: string, stored: string | null | undefined): Promise<boolean> {
    this.decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const matches = await verifyPassword(password, stored ?? (await this.decoyHash));
    return matches && stored != null;
  }

  recordFailure(email: string, address: string): void {
    this.throttle.recordFailure(email, address);
  }

  recordSuccess(email: string, address: string): void {
    this.throttle.recordSuccess(email, address);
  }
}
