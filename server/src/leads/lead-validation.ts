import type { Problem } from '../common/errors';
import { checkAttributes, type AttributeSpec } from './attribute-catalog';

/** What a client sends to create or update a lead by externalId (upsertLead, each item of upsertLeads). */
export interface UpsertLeadData {
  externalId: string;
  email?: string | null;
  segment?: string | null;
  source?: string | null;
  attributes?: Record<string, unknown> | null;
  /** The client's key of the lead's account; joins (or creates) it. */
  accountExternalId?: string | null;
}

export const LEAD_FIELD_LIMITS = { externalId: 200, email: 320, segment: 100, source: 100, search: 200 } as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Problems of one lead to upsert, each at its path under `base` (`input`, `input.leads[3]`). */
export function upsertProblems(input: UpsertLeadData, catalog: Map<string, AttributeSpec>, base: string): Problem[] {
  const problems: Problem[] = [];
  const externalId = input.externalId ?? '';
  if (!externalId.trim()) problems.push({ path: `${base}.externalId`, message: 'must not be blank' });
  else if (externalId.length > LEAD_FIELD_LIMITS.externalId)
    problems.push({ path: `${base}.externalId`, message: `at most ${LEAD_FIELD_LIMITS.externalId} characters` });
  if (input.email != null) problems.push(...emailProblems(input.email, `${base}.email`));
  for (const field of ['segment', 'source'] as const) {
    const value = input[field];
    if (value != null && (!value.trim() || value.length > LEAD_FIELD_LIMITS[field])) {
      problems.push({ path: `${base}.${field}`, message: `must be 1 to ${LEAD_FIELD_LIMITS[field]} characters` });
    }
  }
  if (input.accountExternalId != null && (!input.accountExternalId.trim() || input.accountExternalId.length > LEAD_FIELD_LIMITS.externalId))
    problems.push({ path: `${base}.accountExternalId`, message: `must be 1 to ${LEAD_FIELD_LIMITS.externalId} characters` });
  if (input.attributes != null) problems.push(...checkAttributes(input.attributes, catalog, `${base}.attributes`));
  return problems;
}

/** Problems of an email address (a lead's, or one looked up). */
export function emailProblems(email: string, path: string): Problem[] {
  if (email.length > LEAD_FIELD_LIMITS.email) return [{ path, message: `at most ${LEAD_FIELD_LIMITS.email} characters` }];
  if (!EMAIL.test(email)) return [{ path, message: `"${email.slice(0, 60)}" is not an email address` }];
  return [];
}
