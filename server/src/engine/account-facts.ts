import { coerce, wholeDaysBetween } from './facts';
import type { Facts } from './rule-engine';
import type { ContactsFact, RuleSetDefinition } from './ruleset-definition';

/**
 * The facts of an account rule set for one account, shaped from the account's attributes and its
 * contacts (read set-based by account scoring). Pure: no database, no clock (asOf is passed in).
 */

/** One contact of the account as account scoring reads it. */
export interface AccountContact {
  leadId: string;
  /** What a reason shows for the contact (name, e-mail or external id). */
  label: string;
  /** The contact's engagement points in the default lead model (0 when unscored). */
  engagement: number;
  lastActivityAt: Date | null;
  attributes: Record<string, unknown> | null;
}

export interface AccountInput {
  attributes: Record<string, unknown> | null;
}

export interface ContactRef {
  leadId: string;
  label: string;
}

export interface AccountFactsRow {
  /** Every fact of the definition, in its order; null when there is no value. */
  facts: Facts;
  /** For each contacts fact: the contacts behind its value (at most CONTRIBUTORS_LIMIT, the most engaged first). */
  contributors: Map<string, ContactRef[]>;
}

/** How many contacts a reason names at most: enough for sales to see the committee, bounded for big accounts. */
export const CONTRIBUTORS_LIMIT = 10;

/** Engaged contacts are those with at least this much engagement unless the fact says otherwise. */
export const DEFAULT_MIN_ENGAGEMENT = 1;

const engagementOf = (contact: AccountContact): number => (Number.isFinite(contact.engagement) ? contact.engagement : 0);

/** A contact attribute's string values: a string is one value, a string[] each of its strings. */
function valuesOf(contact: AccountContact, attribute: string | undefined): string[] {
  if (attribute === undefined) return [];
  const value = contact.attributes?.[attribute];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The most engaged first, then by lead id, so reasons are stable; at most CONTRIBUTORS_LIMIT. */
function refs(contacts: AccountContact[]): ContactRef[] {
  return [...contacts]
    .sort((a, b) => engagementOf(b) - engagementOf(a) || (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0))
    .slice(0, CONTRIBUTORS_LIMIT)
    .map(({ leadId, label }) => ({ leadId, label }));
}

function contactsFact(
  fact: ContactsFact,
  contacts: readonly AccountContact[],
  asOf: Date,
): { value: number | null; behind: AccountContact[] } {
  const minEngagement = fact.minEngagement ?? DEFAULT_MIN_ENGAGEMENT;
  const engaged = () => contacts.filter((contact) => engagementOf(contact) >= minEngagement);
  switch (fact.aggregate) {
    case 'count':
      return { value: contacts.length, behind: [...contacts] };
    case 'engagedCount': {
      const behind = engaged();
      return { value: behind.length, behind };
    }
    case 'maxRank': {
      const ranks = fact.ranks ?? [];
      let best = -1;
      let behind: AccountContact[] = [];
      for (const contact of engaged()) {
        let index = -1;
        for (const value of valuesOf(contact, fact.attribute)) {
          const at = ranks.indexOf(value);
          if (at >= 0 && (index < 0 || at < index)) index = at;
        }
        if (index < 0) continue;
        if (best < 0 || index < best) {
          best = index;
          behind = [contact];
        } else if (index === best) behind.push(contact);
      }
      return { value: best < 0 ? 0 : ranks.length - best, behind };
    }
    case 'sumEngagement': {
      const cap = fact.cap ?? Number.POSITIVE_INFINITY;
      let sum = 0;
      const behind: AccountContact[] = [];
      for (const contact of contacts) {
        const brought = Math.max(0, Math.min(engagementOf(contact), cap));
        if (brought > 0) {
          sum += brought;
          behind.push(contact);
        }
      }
      return { value: sum, behind };
    }
    case 'rolesPresent': {
      const roles = new Set(fact.roles ?? []);
      const present = new Set<string>();
      const behind: AccountContact[] = [];
      for (const contact of contacts) {
        const held = valuesOf(contact, fact.attribute).filter((value) => roles.has(value));
        if (held.length === 0) continue;
        for (const role of held) present.add(role);
        behind.push(contact);
      }
      return { value: present.size, behind };
    }
    case 'daysSinceActive': {
      let newest: number | null = null;
      for (const contact of contacts) {
        const at = contact.lastActivityAt?.getTime();
        if (at !== undefined && Number.isFinite(at) && (newest === null || at > newest)) newest = at;
      }
      if (newest === null) return { value: null, behind: [] };
      const behind = contacts.filter((contact) => contact.lastActivityAt?.getTime() === newest);
      return { value: wholeDaysBetween(newest, asOf), behind };
    }
    default:
      return { value: null, behind: [] };
  }
}

/**
 * The facts object an account rule set's rules are evaluated on: `attribute` facts read the
 * account's attributes (coerced to the fact's type like lead attributes), `contacts` facts aggregate
 * the contacts. Sources that do not apply to accounts (validation refuses them) are null.
 */
export function accountFactsRow(
  definition: Pick<RuleSetDefinition, 'facts'>,
  account: AccountInput,
  contacts: readonly AccountContact[],
  asOf: Date,
): AccountFactsRow {
  const facts: Facts = {};
  const contributors = new Map<string, ContactRef[]>();
  for (const fact of definition.facts) {
    if (fact.source === 'attribute') {
      facts[fact.name] = coerce(account.attributes?.[fact.attribute ?? fact.name], fact.type);
    } else if (fact.source === 'contacts') {
      const { value, behind } = contactsFact(fact, contacts, asOf);
      facts[fact.name] = value;
      contributors.set(fact.name, refs(behind));
    } else {
      facts[fact.name] = null;
    }
  }
  return { facts, contributors };
}
