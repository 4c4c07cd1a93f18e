import type { Problem } from '../common/errors';
import { WEBHOOK_EVENTS } from './webhook-events';
import { type AddressLookup, checkTarget, type WebhookTargetPolicy } from './webhook-target';

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
