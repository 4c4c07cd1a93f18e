import { GraphQLJSON } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum OwnerKindEnum {
  USER = 'user',
  QUEUE = 'queue',
}
registerEnumType(OwnerKindEnum, { name: 'OwnerKind', description: 'USER: a sales user; QUEUE: a named queue of a team.' });

@ObjectType({ description: 'Who works a lead: a sales user or a named queue of a team.' })
export class Owner {
  @Field(() => ID) id: string;
  @Field(() => OwnerKindEnum) kind: OwnerKindEnum;
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true, description: 'Routing rules that target a team take turns among its active owners.' })
  team: string | null;
  @Field(() => ID, { nullable: true, description: 'The user a USER owner is (null for a queue, or once the user is deleted).' })
  userId: string | null;
  @Field(() => Boolean, { description: 'Deactivated owners keep their leads but get no new ones.' }) active: boolean;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@InputType({
  description: 'A USER owner links a user with role sales or admin (name defaults to theirs); a QUEUE needs a name and a team.',
})
export class DefineOwnerInput {
  @Field(() => OwnerKindEnum) kind: OwnerKindEnum;
  @Field(() => ID, { nullable: true }) userId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
}

@InputType({ description: 'Omitted fields stay; team null removes the owner from its team.' })
export class UpdateOwnerInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true reactivates a deactivated owner.' }) active?: boolean | null;
}

@ObjectType()
export class RoutingAttributeCondition {
  @Field(() => String) name: string;
  @Field(() => GraphQLJSON, { description: 'The attribute equals it (contains it, for a list attribute).' }) value: unknown;
}

@ObjectType({ description: 'One routing rule: every condition given must match; the first rule that matches assigns the lead.' })
export class RoutingRule {
  @Field(() => String) name: string;
  @Field(() => [String], { nullable: true, description: 'The lead is in one of these cells (A1..D4).' }) cells: string[] | null;
  @Field(() => String, { nullable: true }) segment: string | null;
  @Field(() => [String], { nullable: true, description: 'The lead is in one of these bands.' }) bands: string[] | null;
  @Field(() => [RoutingAttributeCondition], { nullable: true }) attributes: RoutingAttributeCondition[] | null;
  @Field(() => Owner, { nullable: true, description: 'Assign to this owner...' }) owner: Owner | null;
  @Field(() => String, { nullable: true, description: '...or take turns among the active owners of this team.' }) team: string | null;
}

@InputType()
export class RoutingAttributeInput {
  @Field(() => String) name: string;
  @Field(() => GraphQLJSON) value: unknown;
}

@InputType({ description: 'Give conditions (none: matches every lead) and exactly one target, ownerId or team.' })
export class RoutingRuleInput {
  @Field(() => String) name: string;
  @Field(() => [String], { nullable: true }) cells?: string[] | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => [String], { nullable: true }) bands?: string[] | null;
  @Field(() => [RoutingAttributeInput], { nullable: true }) attributes?: RoutingAttributeInput[] | null;
  @Field(() => ID, { nullable: true }) ownerId?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
}
