import type { Problem } from '../common/errors';
import { WEBHOOK_EVENTS } from './webhook-events';
import { type AddressLookup, checkTarget, type WebhookTargetPolicy } from './webhook-target';

/** Which leads' events an endpoint gets: each list null (any) or the values it accepts. */
export interface WebhookFilterData {
  segments?: string[] | null;
  cells?: string[] | null;
  bands?: string[] | null;
}

export const WEBHOOK_FILTER_LIMITS = { entries: 50, valueLength: 100 } as const;

/** A filter's problems (`input.filter.cells[0]`): A1..D4 cells, bands some active rule set defines, bounded segments. */
export function filterProblems(filter: WebhookFilterData | null | undefined, bands: ReadonlySet<string>, path: string): Problem[] {
  const problems: Problem[] = [];
  for (const list of ['segments', 'cells', 'bands'] as const) {
    const entries = filter?.[list];
    if (entries == null) continue;
    if (entries.length === 0 || entries.length > WEBHOOK_FILTER_LIMITS.entries) {
      problems.push({ path: `${path}.${list}`, message: `give 1 to ${WEBHOOK_FILTER_LIMITS.entries} values, or leave it out for any` });
      continue;
    }
    entries.forEach((entry, index) => {
      const at = `${path}.${list}[${index}]`;
      if (list === 'cells' && !/^[A-D][1-4]$/.test(entry))
        problems.push({ path: at, message: `unknown cell "${entry.slice(0, 20)}": A1 to D4` });
      else if (list === 'bands' && !bands.has(entry))
        problems.push({ path: at, message: `unknown band "${entry.slice(0, 40)}": one of ${[...bands].join(', ')}` });
      else if (list === 'segments' && (!entry || entry.length > WEBHOOK_FILTER_LIMITS.valueLength))
        problems.push({ path: at, message: `must be 1 to ${WEBHOOK_FILTER_LIMITS.valueLength} characters` });
    });
  }
  return problems;
}

/** A new endpoint's problems by field: its name, an http(s) URL to a receiver the policy allows, known events. */
export async function validateEndpoint(
  input: { name: string; url: string; events: string[] },
  target: { policy: WebhookTargetPolicy; lookup: AddressLookup; lookupTimeoutMs: number },
): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (!input.name?.trim() || input.name.length > 100) problems.push({ path: 'input.name', message: 'must be 1 to 100 characters' });
  let url: URL | null = null;
  try {
    url = new URL(input.url);
  } catch {
    problems.push({ path: 'input.url', message: 'must be an absolute http(s) URL' });
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push({ path: 'input.url', message: 'must use http or https' });
  if (input.url.length > 2000) problems.push({ path: 'input.url', message: 'at most 2000 characters' });
  if (url && !problems.some((problem) => problem.path === 'input.url')) {
    // A name that does not resolve yet is accepted: every attempt checks again before connecting.
    const checked = await checkTarget(url, target.policy, target.lookup, target.lookupTimeoutMs);
    if (!checked.ok && checked.resolved) {
      problems.push({
        path: 'input.url',
        message: `${checked.reason}; webhooks go to public addresses unless WEBHOOK_ALLOW_PRIVATE or WEBHOOK_ALLOWED_NETWORKS allows it`,
      });
    }
  }
  if (!input.events.length) problems.push({ path: 'input.events', message: `give at least one of ${WEBHOOK_EVENTS.join(', ')}` });
  input.events.forEach((event, index) => {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
      problems.push({ path: `input.events[${index}]`, message: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });
  });
  return problems;
}
