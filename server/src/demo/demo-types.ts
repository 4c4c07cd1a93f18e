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

export interface DemoData {
  leads: DemoLead[];
  activities: DemoActivity[];
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
