import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';
import { Lead } from '../leads/lead.types';
import { ACTIVITY_TYPES, type ActivityType, isBuiltInActivityType } from '../engine/ruleset-definition';

/**
 * GraphQL enum names (PAGE_VIEW) for the 18 built-in activity types (page_view). Kept so that
 * clients written before the open catalog keep working; `typeName` carries any type of the catalog.
 */
export const ActivityTypeEnum = Object.fromEntries(ACTIVITY_TYPES.map((type) => [type.toUpperCase(), type])) as Record<
  string,
  ActivityType
>;
registerEnumType(ActivityTypeEnum, {
  name: 'ActivityType',
  description: 'A built-in activity type. Types defined in the activity catalog have no enum value: use typeName.',
});

/** The enum value shown for a stored type: the built-in type itself, OTHER for a type defined in the catalog. */
export const builtInOrOther = (type: string): ActivityType => (isBuiltInActivityType(type) ? type : 'other');

@ObjectType({ description: 'Something a lead did: a page view, an email click, a demo request...' })
export class Activity {
  @Field(() => ID) id: string;
  @Field(() => ActivityTypeEnum, {
    description: 'The built-in type, or OTHER for a type defined in the activity catalog (deprecated: read typeName).',
  })
  type: ActivityType;
  @Field(() => String, { description: 'The activity type, as named in the activity catalog (page_view, feature_used...).' })
  typeName: string;
  @Field(() => GraphQLISODateTime) occurredAt: Date;
  @Field(() => String) idempotencyKey: string;
  @Field(() => GraphQLJSONObject) properties: Record<string, unknown>;
  @Field(() => GraphQLISODateTime, { description: 'When we received it.' }) recordedAt: Date;
}

@ObjectType()
export class ActivityEdge {
  @Field(() => String) cursor: string;
  @Field(() => Activity) node: Activity;
}

@ObjectType()
export class ActivityConnection {
  @Field(() => [ActivityEdge]) edges: ActivityEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@InputType({ description: 'An activity of an existing lead. Retrying with the same idempotencyKey never counts it twice.' })
export class RecordActivityInput {
  @Field(() => String) leadExternalId: string;
  @Field(() => ActivityTypeEnum, { nullable: true, description: 'A built-in type. Give this or typeName.' }) type?: ActivityType | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Any type of the activity catalog, e.g. feature_used (unknown ones are refused or mapped, per activityCatalogSettings). Give this or type.',
  })
  typeName?: string | null;
  @Field(() => GraphQLISODateTime, { description: 'When it happened; may be in the past.' }) occurredAt: Date;
  @Field(() => String, { description: 'Unique per activity, chosen by the client (e.g. its event id).' }) idempotencyKey: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Flat properties: string, number, boolean or null values.' })
  properties?: Record<string, unknown> | null;
}

@ObjectType()
export class RecordActivityPayload {
  @Field(() => ID) activityId: string;
  @Field(() => Boolean, { description: 'True when this idempotencyKey was already recorded: nothing was counted again.' })
  duplicate: boolean;
  /** `lead` and `score` are resolved from it by RecordActivityPayloadResolver, only when asked for. */
  leadId: string;
}

@ObjectType()
export class RecordedActivityResult {
  @Field(() => String) idempotencyKey: string;
  @Field(() => ID) activityId: string;
  @Field(() => String) leadExternalId: string;
  @Field(() => Boolean) duplicate: boolean;
}

@ObjectType({ description: 'A batch is recorded all-or-nothing: either every item is recorded (or reported as duplicate) or none is.' })
export class RecordActivitiesPayload {
  @Field(() => [RecordedActivityResult]) results: RecordedActivityResult[];
  @Field(() => [Lead], { description: 'The leads the batch touched, with their new scores.' }) leads: Lead[];
}
