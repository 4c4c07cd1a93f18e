import type { ScoreTransition } from '../scoring/score-events';

/** Events a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ['lead.qualified', 'lead.sales_ready', 'lead.assigned', 'score.band_changed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Sent on request (pingWebhookEndpoint) to test an endpoint; no subscription needed. */
export const PING_EVENT = 'ping';

/** The cell action that means "send to sales now". */
export const SALES_READY_ACTION = 'send_to_sales';

/**
 * Pure: which events a score change raises. Only transitions count; staying qualified raises
 * nothing, and a lead's first score changes no band. (`lead.assigned` comes from owners, not here.)
 */
export function eventsFor(transition: ScoreTransition): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  if (transition.after.qualified && !transition.before?.qualified) events.push('lead.qualified');
  if (transition.after.action === SALES_READY_ACTION && transition.before?.action !== SALES_READY_ACTION) events.push('lead.sales_ready');
  if (transition.before && transition.before.band !== transition.after.band) events.push('score.band_changed');
  return events;
}
