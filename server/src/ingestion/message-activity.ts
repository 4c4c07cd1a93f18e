import type { ActivityCatalog } from '../activities/activity-catalog';
import { storedActivityType } from '../activities/activity-catalog';
import { type SuggestionBudget, validate as validateActivity } from '../activities/activity-validation';
import type { Problem } from '../common/errors';
import { activityProperties, type SegmentMessage } from './segment-message';

/**
 * The activity a message becomes. A type that declares its properties and accepts no others gets
 * only those (Segment senders add many properties of their own); open types get every flat one.
 */
export function activityOf(
  message: SegmentMessage,
  mapped: string,
  catalog: ActivityCatalog,
): { type: string; properties: Record<string, unknown> } {
  const type = storedActivityType(mapped, catalog);
  const properties: Record<string, unknown> = activityProperties(message);
  const spec = catalog.types.get(type);
  if (!spec || spec.openProperties) return { type, properties };
  const declared = new Set(spec.properties.map((property) => property.name));
  return { type, properties: Object.fromEntries(Object.entries(properties).filter(([name]) => declared.has(name))) };
}

/** ActivityService's checks of the activity a message becomes, named by the message's own fields. */
export function activityItemProblems(
  message: SegmentMessage,
  activity: { type: string; properties: Record<string, unknown> },
  now: Date,
  catalog: ActivityCatalog,
  suggestions: SuggestionBudget,
): Problem[] {
  const problems = validateActivity(
    { leadExternalId: 'x', type: activity.type, occurredAt: message.occurredAt, idempotencyKey: 'x', properties: activity.properties },
    message.path,
    now,
    catalog,
    suggestions,
  );
  return problems.map((problem) => {
    if (problem.path === `${message.path}.occurredAt`)
      return { path: `${message.path}.timestamp`, message: `${problem.message} (after correcting the client's clock by sentAt)` };
    if (problem.path === `${message.path}.type`)
      return {
        path: `${message.path}.${message.type === 'track' ? 'event' : 'properties.path'}`,
        message: `mapped to activity type "${activity.type}", which ${problem.message}`,
      };
    return problem;
  });
}
