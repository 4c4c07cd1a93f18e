import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the event id, the same on every
 * attempt and redelivery), `webhook-timestamp` (unix seconds) and `webhook-signature`: space-separated
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per valid secret.
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** Deprecated headers, still sent for receivers written against the first release. */
export const SIGNATURE_HEADER = 'x-leadscore-signature';
export const EVENT_ID_HEADER = 'x-leadscore-event-id';
export const EVENT_TYPE_HEADER = 'x-leadscore-event-type';

/** `whsec_` and 24 random bytes in base64, the form Standard Webhooks libraries take. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The key is the secret's base64 part decoded. Secrets issued before Standard Webhooks were base64url;
 * Node decodes both alphabets, so they sign the same way (a receiver's library may need them rotated).
 */
function keyOf(secret: string): Uint8Array {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

export interface SignedMessage {
  id: string;
  type: string;
  body: string;
  timestamp: Date;
  /** The current secret first; a previous one still inside its overlap window after it. */
  secrets: string[];
}

export function webhookHeaders(message: SignedMessage): Record<string, string> {
  const seconds = Math.floor(message.timestamp.getTime() / 1000);
  return {
    [WEBHOOK_ID_HEADER]: message.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(seconds),
    [WEBHOOK_SIGNATURE_HEADER]: message.secrets
      .map((secret) => new Webhook(keyOf(secret), { format: 'raw' }).sign(message.id, message.timestamp, message.body))
      .join(' '),
    [EVENT_ID_HEADER]: message.id,
    [EVENT_TYPE_HEADER]: message.type,
    [SIGNATURE_HEADER]: legacySignature(message.secrets[0], message.body, seconds),
  };
}

/** Deprecated `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed by the whole secret string (current secret only). */
export function legacySignature(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** What a receiver of the deprecated header does (reference code for existing integrations). */
export function verifyLegacySignature(secret: string, body: string, header: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isFinite(timestamp) || !parts.v1 || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(legacySignature(secret, body, timestamp).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
