import { GraphQLJSON } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';

@ObjectType({ description: 'Who changed what, when: before, after and the difference.' })
export class AuditEntry {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'user:<email>, apiKey:<name> or system' }) actor: string;
  @Field(() => String, { description: 'e.g. version.published, api_key.revoked' }) action: string;
  @Field(() => String) entityType: string;
  @Field(() => String) entityId: string;
  @Field(() => String) summary: string;
  @Field(() => GraphQLJSON, { nullable: true }) before: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) diff: unknown;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field(() => GraphQLISODateTime) at: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => String) cursor: string;
  @Field(() => AuditEntry) node: AuditEntry;
}

@ObjectType()
export class AuditConnection {
  @Field(() => [AuditEntryEdge]) edges: AuditEntryEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@InputType()
export class AuditFilter {
  @Field(() => String, { nullable: true }) entityType?: string | null;
  @Field(() => String, { nullable: true }) entityId?: string | null;
  @Field(() => String, { nullable: true }) actor?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Entries about this rule set (by key) or one of its versions.',
  })
  ruleSetKey?: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Entries at or after this instant.' }) from?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Entries before this instant (not included).' }) to?: Date | null;
}
