import { FREE_EMAIL_DOMAINS } from '../engine/facts';
import type { ActivityType } from '../engine/ruleset-definition';
import type { Random } from './demo-random';
import { DAY_MS, type DemoActivity, type LeadPlan } from './demo-types';

/**
 * The hidden process that decides leads: a logistic model over what the lead is and what it did in
 * its first weeks, plus latent intent the activity only partly shows, plus noise. Its weights differ
 * from the shipped default rule set's on purpose, as a real market's would: some shipped rules are
 * worth less than their points (a demo request, very large companies, the CRM and country lists),
 * some more (repeat pricing views, a conversation, a confirmed budget), and the student penalty is
 * right. So a backtest of the default rule set is informative (AUC about 0.73) and fitted points do better.
 */
const TRUE_EFFECTS = {
  intercept: -4.1,
  latentIntent: 0.4,
  student: -3.0,
  freeEmail: -0.7,
  budgetConfirmed: 1.8,
  timelineSoon: 0.6,
  executive: 0.7,
  director: 0.6,
  sweetSpotSize: 1.0,
  midMarketSize: 0.5,
  enterpriseSize: -0.6,
  targetIndustry: 0.6,
  pricingViewsRepeat: 1.8,
  pricingViewOnce: 0.45,
  demoRequest: 0.5,
  trial: 0.8,
  conversation: 1.8,
  webinar: 0.4,
  unsubscribed: -1.2,
} as const;

const TARGET_INDUSTRIES = new Set(['software', 'financial_services', 'healthcare', 'telecommunications']);
/** What the outcome reads of a lead's behaviour: its first weeks. */
const OUTCOME_HORIZON_MS = 30 * DAY_MS;

function conversionLogit(plan: LeadPlan, activities: readonly DemoActivity[]): number {
  const e = TRUE_EFFECTS;
  const at = plan.lead.attributes;
  const horizon = plan.lead.createdAt.getTime() + OUTCOME_HORIZON_MS;
  const early = activities.filter((a) => a.occurredAt.getTime() <= horizon);
  const count = (...types: ActivityType[]) => early.filter((a) => types.includes(a.type)).length;
  const seniority = plan.lead.attributes.seniority;
  const size = plan.companySize;
  const isStudent =
    seniority === 'student' ||
    String(at.jobTitle ?? '')
      .toLowerCase()
      .includes('student') ||
    String(at.jobTitle ?? '').endsWith('Intern');
  const pricing = count('pricing_page_view');
  let x = e.intercept + e.latentIntent * plan.z;
  if (isStudent) x += e.student;
  if (FREE_EMAIL_DOMAINS.has(plan.lead.email.split('@')[1])) x += e.freeEmail;
  if (at.budgetConfirmed === true) x += e.budgetConfirmed;
  if (at.timeline === 'now' || at.timeline === 'this_quarter') x += e.timelineSoon;
  if (seniority === 'c_level' || seniority === 'vp') x += e.executive;
  if (seniority === 'director') x += e.director;
  if (!isStudent) {
    if (size >= 200 && size <= 5000) x += e.sweetSpotSize;
    else if (size >= 50 && size < 200) x += e.midMarketSize;
    else if (size > 5000) x += e.enterpriseSize;
  }
  if (TARGET_INDUSTRIES.has(String(at.industry))) x += e.targetIndustry;
  if (pricing >= 2) x += e.pricingViewsRepeat;
  else if (pricing === 1) x += e.pricingViewOnce;
  if (count('demo_request')) x += e.demoRequest;
  if (count('trial_signup')) x += e.trial;
  if (count('chat', 'call')) x += e.conversation;
  if (count('webinar_attendance')) x += e.webinar;
  if (count('unsubscribe')) x += e.unsubscribed;
  return x;
}

/**
 * Decides a lead: converted (a sales cycle of about 1 to 4 months, a deal value growing with the
 * company) or lost (after 1 to 5 months of trying). A lead whose decision would fall after `now`
 * is still open: recent leads are.
 */
export function decide(rnd: Random, plan: LeadPlan, activities: readonly DemoActivity[], nowMs: number): void {
  const lead = plan.lead;
  const p = 1 / (1 + Math.exp(-conversionLogit(plan, activities)));
  const converted = rnd.chance(p);
  const days = converted
    ? 10 + rnd.float() * 20 + Math.min(150, -40 * Math.log(1 - rnd.float()))
    : 30 + Math.min(150, -50 * Math.log(1 - rnd.float()));
  const at = Math.floor((lead.createdAt.getTime() + days * DAY_MS) / 1000) * 1000;
  const value = Math.round((8_000 * (Math.max(plan.companySize, 10) / 100) ** 0.35 * Math.exp(0.5 * rnd.normal())) / 100) * 100;
  if (at > nowMs) return;
  lead.outcome = converted ? 'converted' : 'lost';
  lead.outcomeAt = new Date(at);
  lead.dealValue = converted ? value : null;
}
