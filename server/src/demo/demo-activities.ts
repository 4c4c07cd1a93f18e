import type { BuiltInActivityType as ActivityType } from '../engine/ruleset-definition';
import type { Random } from './demo-random';
import {
  ASSETS,
  CHAT_TOPICS,
  EMAIL_CAMPAIGNS,
  EVENTS,
  FORMS,
  HIGH_INTENT_PAGES,
  PAGES,
  SOCIAL_ACTIONS,
  SOCIAL_NETWORKS,
  TRIAL_PLANS,
  WEBINARS,
} from './demo-tables';
import { DAY_MS, type DemoActivity, type LeadPlan } from './demo-types';

type Draft = { type: ActivityType; at: number; properties: Record<string, string | number | boolean> };

const EMAIL_TYPES: ReadonlySet<ActivityType> = new Set(['email_open', 'email_click', 'sms']);

function propertiesFor(rnd: Random, type: ActivityType, intent: number): Record<string, string | number | boolean> {
  switch (type) {
    case 'page_view':
      return {
        url: rnd.chance(0.15 * intent) ? rnd.pick(HIGH_INTENT_PAGES) : rnd.pick(PAGES),
        durationSeconds: Math.round(Math.exp(3.3 + 1.0 * rnd.normal() + intent)),
      };
    case 'pricing_page_view':
      return { url: '/pricing', durationSeconds: Math.round(Math.exp(3.8 + 0.8 * rnd.normal() + intent)) };
    case 'email_open':
    case 'sms':
    case 'unsubscribe':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS) };
    case 'email_click':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS), url: rnd.pick(PAGES) };
    case 'email_bounce':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS), bounceType: rnd.chance(0.7) ? 'hard' : 'soft' };
    case 'content_download': {
      const [asset, assetType] = rnd.pick(ASSETS);
      return { asset, assetType };
    }
    case 'webinar_registration':
      return { webinar: rnd.pick(WEBINARS) };
    case 'webinar_attendance':
      return { webinar: rnd.pick(WEBINARS), minutesAttended: rnd.int(5, 60) };
    case 'event_attendance':
      return { event: rnd.pick(EVENTS), boothVisit: rnd.chance(0.4) };
    case 'demo_request':
      return { form: 'demo_request' };
    case 'trial_signup':
      return {
        plan: rnd.weighted([
          [TRIAL_PLANS[0], 5],
          [TRIAL_PLANS[1], 3],
          [TRIAL_PLANS[2], 1],
        ] as const),
      };
    case 'form_submission':
      return { form: rnd.pick(FORMS) };
    case 'chat':
      return { topic: rnd.pick(CHAT_TOPICS), messages: rnd.int(2, 25) };
    case 'call':
      return { direction: rnd.chance(0.7) ? 'outbound' : 'inbound', durationSeconds: rnd.int(20, 2400) };
    case 'social_interaction':
      return { network: rnd.pick(SOCIAL_NETWORKS), action: rnd.pick(SOCIAL_ACTIONS) };
    case 'other':
      return { note: rnd.pick(['partner_referral', 'community_post', 'survey_response', 'g2_review_view']) };
  }
}

/** Relative frequencies of the recurring activity types, shifted by intent. */
function typeWeights(intent: number): (readonly [ActivityType, number])[] {
  const i = intent;
  return [
    ['page_view', 30],
    ['email_open', 24],
    ['email_click', 4 + 6 * i],
    ['pricing_page_view', 0.5 + 9 * i * i],
    ['content_download', 2 + 3 * i],
    ['webinar_registration', 1 + 2 * i],
    ['webinar_attendance', 0.3 + 3 * i * i],
    ['event_attendance', 0.2 + 1 * i],
    ['form_submission', 1.5],
    ['chat', 0.3 + 1.5 * i * i],
    ['call', 0.2 + 2 * i * i],
    ['sms', 0.4],
    ['social_interaction', 2],
    ['other', 0.6],
  ];
}

/** A lead's activity stream: volume, mix and recency drawn from its intent and age. */
export function makeActivities(rnd: Random, plan: LeadPlan, nowMs: number, days: number): DemoActivity[] {
  const { lead, intent } = plan;
  const start = lead.createdAt.getTime();
  const span = nowMs - start;
  if (span <= 0) return [];

  // Younger leads have had less time to do things.
  const ageFactor = Math.sqrt(Math.min(1, span / DAY_MS / Math.min(45, days)));
  const count = Math.min(70, Math.max(0, Math.round(plan.volume * ageFactor) - 1));

  // Recency: some leads went cold some time ago; low-intent leads more often.
  let end = nowMs;
  if (rnd.chance(0.15 + 0.45 * (1 - intent))) end = start + span * rnd.float() ** 1.3;
  const window = end - start;
  // High intent pulls activity towards the end of the window (i.e. recent, when not cold).
  const skew = 1 / (1 + 2.5 * intent);
  const at = () => start + window * rnd.float() ** skew;

  const drafts: Draft[] = [];
  const weights = typeWeights(intent);
  for (let k = 0; k < count; k++) {
    const type = rnd.weighted(weights);
    drafts.push({ type, at: at(), properties: propertiesFor(rnd, type, intent) });
  }

  // Leads that came in through a form usually have that submission at creation time.
  if ((lead.source === 'website' || lead.source === 'paid_search' || lead.source === 'organic_search') && rnd.chance(0.5)) {
    drafts.push({ type: 'form_submission', at: start + rnd.int(0, 30) * 1000, properties: { form: rnd.pick(FORMS) } });
  }

  // Rare high-intent milestones.
  if (count > 0 && rnd.chance(0.01 + 0.16 * intent ** 3)) {
    drafts.push({ type: 'demo_request', at: at(), properties: propertiesFor(rnd, 'demo_request', intent) });
  }
  if (count > 0 && rnd.chance(0.01 + 0.12 * intent ** 2.5)) {
    drafts.push({ type: 'trial_signup', at: at(), properties: propertiesFor(rnd, 'trial_signup', intent) });
  }

  // Webinar attendees registered first (same webinar).
  for (const d of [...drafts]) {
    if (d.type === 'webinar_attendance' && rnd.chance(0.85)) {
      const regAt = Math.max(start, d.at - rnd.int(1, 14 * 24) * 3_600_000);
      drafts.push({ type: 'webinar_registration', at: regAt, properties: { webinar: d.properties.webinar } });
    }
  }

  drafts.sort((a, b) => a.at - b.at);

  // Email failures: a bounce or an unsubscribe ends email traffic.
  const hasEmail = drafts.some((d) => EMAIL_TYPES.has(d.type));
  let emailStop = Infinity;
  if (hasEmail && rnd.chance(0.03 + 0.03 * (1 - intent))) {
    const first = drafts.find((d) => EMAIL_TYPES.has(d.type))!;
    const stopAt = first.at + (end - first.at) * rnd.float();
    drafts.push({ type: 'unsubscribe', at: stopAt, properties: propertiesFor(rnd, 'unsubscribe', intent) });
    emailStop = stopAt;
  } else if (count > 0 && rnd.chance(0.025)) {
    const stopAt = start + window * rnd.float() * 0.5;
    drafts.push({ type: 'email_bounce', at: stopAt, properties: propertiesFor(rnd, 'email_bounce', intent) });
    emailStop = stopAt;
  }

  const kept = drafts
    .filter((d) => !(EMAIL_TYPES.has(d.type) && d.at > emailStop))
    .map((d) => ({ ...d, at: Math.min(nowMs, Math.max(start, Math.floor(d.at / 1000) * 1000)) }))
    .sort((a, b) => a.at - b.at);

  return kept.map((d, n) => ({
    leadExternalId: lead.externalId,
    type: d.type,
    occurredAt: new Date(d.at),
    idempotencyKey: `${lead.externalId}-${String(n + 1).padStart(4, '0')}`,
    properties: d.properties,
  }));
}
