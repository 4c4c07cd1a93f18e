import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';
import type { AttributeValue } from './lead.entity';

export enum LeadOrderEnum {
  SCORE_DESC = 'SCORE_DESC',
  SCORE_ASC = 'SCORE_ASC',
  CREATED_DESC = 'CREATED_DESC',
  UPDATED_DESC = 'UPDATED_DESC',
}
registerEnumType(LeadOrderEnum, { name: 'LeadOrder', description: 'SCORE_DESC (default) lets sales work the list top down.' });

export enum LeadOutcomeEnum {
  OPEN = 'open',
  CONVERTED = 'converted',
  LOST = 'lost',
}
registerEnumType(LeadOutcomeEnum, { name: 'LeadOutcome' });

export enum AttributeScopeEnum {
  LEAD = 'lead',
  ACCOUNT = 'account',
}
registerEnumType(AttributeScopeEnum, {
  name: 'AttributeScope',
  description: "Whose attributes a catalog entry types: leads' (contacts') or accounts'. Names are unique per scope.",
});

@ObjectType({ description: 'A person or account a client app sends us, with explicit attributes; its score and activities hang off it.' })
export class Lead {
  @Field(() => ID) id: string;

  @Field(() => String, { description: "The client's own key for the lead (unique)." }) externalId: string;

  @Field(() => String, { nullable: true }) email: string | null;

  @Field(() => String, { nullable: true, description: 'Segment; decides which rule set scores the lead.' }) segment: string | null;

  @Field(() => String, { nullable: true, description: 'Where the lead came from (e.g. webinar, paid_search).' }) source: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Explicit attributes, typed by the attribute catalog (attributeDefinitions).' })
  attributes: Record<string, AttributeValue>;

  @Field(() => LeadOutcomeEnum) outcome: LeadOutcomeEnum;

  @Field(() => GraphQLISODateTime, { nullable: true }) outcomeAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Deal value of a converted lead (decimal string).' }) dealValue: string | null;

  @Field(() => GraphQLISODateTime) createdAt: Date;

  @Field(() => GraphQLISODateTime) updatedAt: Date;
}

@ObjectType()
export class LeadEdge {
  @Field(() => String) cursor: string;
  @Field(() => Lead) node: Lead;
}

@ObjectType()
export class LeadConnection {
  @Field(() => [LeadEdge]) edges: LeadEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@InputType({ description: 'Creates the lead if its externalId is new, else updates it. Omitted fields stay as they are.' })
export class UpsertLeadInput {
  @Field(() => String) externalId: string;

  @Field(() => String, { nullable: true, description: 'null clears it.' }) email?: string | null;

  @Field(() => String, { nullable: true }) segment?: string | null;

  @Field(() => String, { nullable: true }) source?: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Attributes to set, typed by the catalog; others keep their values; null for one removes it.',
  })
  attributes?: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The client's own key of the lead's account (company): the lead joins it, and it is created when new. Wins over matching by the email's domain; omitted: the lead keeps its account, or joins its email domain's.",
  })
  accountExternalId?: string | null;
}

@InputType()
export class AttributeFilter {
  @Field(() => String) name: string;
  @Field(() => [GraphQLJSON], { description: 'The attribute equals one of these.' }) values: unknown[];
}

@InputType()
export class LeadFilter {
  @Field(() => [String], { nullable: true, description: 'e.g. ["A1","A2","B1"]' }) cells?: string[] | null;
  @Field(() => [String], { nullable: true }) bands?: string[] | null;
  @Field(() => Boolean, { nullable: true }) qualified?: boolean | null;
  @Field(() => Int, { nullable: true }) minTotal?: number | null;
  @Field(() => Int, { nullable: true }) maxTotal?: number | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => String, { nullable: true }) ruleSetKey?: string | null;
  @Field(() => LeadOutcomeEnum, { nullable: true }) outcome?: LeadOutcomeEnum | null;
  @Field(() => String, { nullable: true, description: 'Prefix of email or externalId.' }) search?: string | null;
  @Field(() => [AttributeFilter], { nullable: true }) attributes?: AttributeFilter[] | null;
  // Owner filters (owners/, leads/lead-filter.ts): `mine` needs a signed-in user (withViewer).
  @Field(() => ID, { nullable: true, description: 'Owned by this owner.' }) ownerId?: string | null;
  @Field(() => Boolean, { nullable: true, description: "true: the signed-in user's own leads (false or absent: anyone's)." })
  mine?: boolean | null;
}

@ObjectType({ description: 'An explicit attribute leads (or accounts, by scope) may carry, and its type.' })
export class AttributeDefinition {
  @Field(() => AttributeScopeEnum, { description: 'LEAD or ACCOUNT.' }) scope: AttributeScopeEnum;
  @Field(() => String) name: string;
  @Field(() => String, { description: 'string, number, boolean, string[] or date' }) type: string;
  @Field(() => String) label: string;
  @Field(() => String) description: string;
  @Field(() => [String], { nullable: true }) allowedValues: string[] | null;
}

@InputType()
export class DefineAttributeInput {
  @Field(() => String) name: string;
  @Field(() => String, { description: 'string, number, boolean, string[] or date' }) type: string;
  @Field(() => String) label: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) allowedValues?: string[] | null;
  @Field(() => AttributeScopeEnum, { nullable: true, description: 'LEAD (default) or ACCOUNT.' }) scope?: AttributeScopeEnum | null;
}

@InputType({ description: 'Up to 1,000 leads to create or update by externalId, each as upsertLead takes it.' })
export class UpsertLeadsInput {
  @Field(() => [UpsertLeadInput], { description: 'At most 1,000; each externalId at most once.' }) leads: UpsertLeadInput[];

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'true: all or nothing (any bad item fails the call, listing every bad item). false: bad items get their errors, the others are written.',
  })
  atomic: boolean;
}

@ObjectType({ description: 'One thing wrong with one item of a batch; nothing was written for that item.' })
export class BatchItemError {
  @Field(() => String, { description: 'Where, e.g. input.leads[3].email.' }) path: string;
  @Field(() => String) message: string;
  @Field(() => String, { description: 'The extensions.code the same mistake gets alone: BAD_USER_INPUT, NOT_FOUND.' }) code: string;
  @Field(() => String, { description: 'The domain code, e.g. INVALID_LEAD, DUPLICATE_IN_BATCH, LEAD_NOT_FOUND.' }) reason: string;
}

@ObjectType({ description: 'What became of one item of upsertLeads.' })
export class UpsertLeadResult {
  @Field(() => Int, { description: 'Position of the item in input.leads.' }) index: number;
  @Field(() => String) externalId: string;
  @Field(() => Lead, { nullable: true, description: 'The lead as written, with its new score; null when the item has errors.' })
  lead: Lead | null;
  @Field(() => Boolean, { description: 'The lead is new.' }) created: boolean;
  @Field(() => [BatchItemError], { description: 'Empty when the item was written.' }) errors: BatchItemError[];
}

@ObjectType()
export class UpsertLeadsPayload {
  @Field(() => [UpsertLeadResult], { description: 'One per item, in input order.' }) results: UpsertLeadResult[];
  @Field(() => Int) createdCount: number;
  @Field(() => Int) updatedCount: number;
  @Field(() => Int, { description: 'Items with errors (not written).' }) failedCount: number;
}
