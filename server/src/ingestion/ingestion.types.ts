import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { MappedKind, UnmappedEventPolicy } from './tracking-config';

export enum UnmappedEventsEnum {
  IGNORE = 'IGNORE',
  REFUSE = 'REFUSE',
}
registerEnumType(UnmappedEventsEnum, {
  name: 'UnmappedEvents',
  description: 'What the tracking API does with a track or page event no mapping matches: IGNORE (accepted, counted) or REFUSE (400).',
});

export enum TrackedMessageKindEnum {
  TRACK = 'track',
  PAGE = 'page',
}
registerEnumType(TrackedMessageKindEnum, { name: 'TrackedMessageKind', description: 'Which messages a mapping applies to.' });

@ObjectType({ description: 'Maps tracked events to an activity type; the first mapping that matches a message decides.' })
export class EventMapping {
  @Field(() => TrackedMessageKindEnum) kind: MappedKind;
  @Field(() => String, { nullable: true, description: 'track: the event name (required); page: the page name. Case-insensitive.' })
  event: string | null;
  @Field(() => String, { nullable: true, description: 'page only: a path pattern, `*` matching anything (e.g. "/pricing*").' })
  path: string | null;
  @Field(() => String, { nullable: true, description: 'Only when this property of the message...' }) property: string | null;
  @Field(() => String, { nullable: true, description: '...equals this value (compared as text).' }) value: string | null;
  @Field(() => String, { description: 'The activity type recorded (from the activity catalog).' }) activityType: string;
}

@ObjectType({ description: 'An identify trait stored as a catalog attribute of another name.' })
export class TraitMapping {
  @Field(() => String) trait: string;
  @Field(() => String) attribute: string;
}

@ObjectType({ description: 'How the Segment-compatible tracking API (/v1/batch, /v1/track, /v1/identify, /v1/page) maps messages.' })
export class TrackingConfig {
  @Field(() => UnmappedEventsEnum) unmappedEvents: UnmappedEventPolicy;
  @Field(() => [EventMapping]) eventMappings: EventMapping[];
  @Field(() => [TraitMapping], { description: 'Traits with an attribute of their own name need no mapping.' })
  traitMappings: TraitMapping[];
}

@InputType()
export class EventMappingInput {
  @Field(() => TrackedMessageKindEnum) kind: MappedKind;
  @Field(() => String, { nullable: true }) event?: string | null;
  @Field(() => String, { nullable: true }) path?: string | null;
  @Field(() => String, { nullable: true }) property?: string | null;
  @Field(() => String, { nullable: true }) value?: string | null;
  @Field(() => String) activityType: string;
}

@InputType()
export class TraitMappingInput {
  @Field(() => String) trait: string;
  @Field(() => String) attribute: string;
}

@InputType({ description: 'The whole tracking configuration; it replaces the current one.' })
export class TrackingConfigInput {
  @Field(() => UnmappedEventsEnum) unmappedEvents: UnmappedEventPolicy;
  @Field(() => [EventMappingInput]) eventMappings: EventMappingInput[];
  @Field(() => [TraitMappingInput]) traitMappings: TraitMappingInput[];
}
