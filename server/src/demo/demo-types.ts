import type { ActivityType } from '../engine/ruleset-definition';

export const DAY_MS = 86_400_000;

export type DemoOutcome = 'open' | 'converted' | 'lost';

export interface DemoLead {
  externalId: string;
  email: string;
  segment: string | null;
  source: string;
  attributes: Record<string, string | number | boolean | string[] | null>;
  createdAt: Date;
  /** How the lead ended: decided (converted or lost, at `outcomeAt`) once its time came, else open. */
  outcome: DemoOutcome;
  outcomeAt: Date | null;
  /** Deal value of a conversion (USD, whole hundreds); null otherwise. */
  dealValue: number | null;
}

export interface DemoActivity {
  leadExternalId: string;
  type: ActivityType;
  occurredAt: Date;
  idempotencyKey: string;
  properties: Record<string, string | number | boolean>;
}

/** A company some leads write from (their e-mail's domain): the demo's accounts. */
export interface DemoAccount {
  domain: string;
  name: string;
  /** Account-scope catalog attributes (rules/account-attributes.json), as rules/account-default.json reads them. */
  attributes: { industry: string; employees: number; country: string; annualRevenue: number };
}

export interface DemoData {
  leads: DemoLead[];
  activities: DemoActivity[];
  /** The companies of the leads with a company e-mail, in order of first appearance. */
  accounts: DemoAccount[];
}

export interface DemoDataOptions {
  leads: number;
  seed: number;
  now: Date;
  /** Leads are created uniformly over the last `days` days (default 365). */
  days?: number;
}

/** A generated lead with the hidden traits its activities and outcome are drawn from. */
export interface LeadPlan {
  lead: DemoLead;
  /** Latent buying intent in (0, 1); drives activity volume, mix and recency. */
  intent: number;
  /** The standard normal behind `intent`. */
  z: number;
  /** Expected activity count before age scaling (log-normal). */
  volume: number;
  /** The company's true headcount (the attribute may be missing). */
  companySize: number;
}
