import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';

/*
 * The account GraphQL types. Fields that name lead types (Account.outcome as LeadOutcome,
 * Account.contacts, Lead.account) are resolved in leads/lead-account.resolver.ts, a layer above;
 * Account.score/scores/history in account-scoring's resolver.
 */

export enum AccountOrderEnum {
  SCORE_DESC = 'SCORE_DESC',
  NAME_ASC = 'NAME_ASC',
  CREATED_DESC = 'CREATED_DESC',
}
registerEnumType(AccountOrderEnum, {
  name: 'AccountOrder',
  description:
    'SCORE_DESC (default): by the total in the given account model (default: the default account model); accounts without a score last.',
});

@ObjectType({ description: 'A company that leads (its contacts) belong to; scored by account models.' })
export class Account {
  @Field(() => ID) id: string;

  @Field(() => String, { nullable: true, description: "The client's own key for the account (unique)." }) externalId: string | null;

  @Field(() => String, { nullable: true, description: 'Its e-mail domain (lower case, unique): leads with that domain join it.' })
  domain: string | null;

  @Field(() => String) name: string;

  @Field(() => GraphQLJSONObject, {
    description: 'Explicit attributes, typed by the account-scope catalog (attributeDefinitions(scope: ACCOUNT)).',
  })
  attributes: Record<string, unknown>;

  outcome: 'open' | 'converted' | 'lost';

  @Field(() => GraphQLISODateTime, { nullable: true }) outcomeAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Deal value of a converted account (decimal string).' }) dealValue: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Set when this account was merged into another: its contacts are there, and writes naming it land there.',
  })
  mergedIntoId: string | null;

  @Field(() => GraphQLISODateTime) createdAt: Date;

  @Field(() => GraphQLISODateTime) updatedAt: Date;
}

@ObjectType()
export class AccountEdge {
  @Field(() => String) cursor: string;
  @Field(() => Account) node: Account;
}

@ObjectType({ description: 'A page of accounts: nodes (and the same as edges with cursors), pageInfo, totalCount.' })
export class AccountConnection {
  @Field(() => [Account]) nodes: Account[];
  @Field(() => [AccountEdge]) edges: AccountEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@InputType({
  description: 'Creates the account if new, else updates it; found by externalId, else by domain. Omitted fields stay as they are.',
})
export class UpsertAccountInput {
  @Field(() => String, { nullable: true, description: "The client's key; give it or domain (or both)." }) externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail domain, e.g. acme.io (stored lower case); unique among accounts.' })
  domain?: string | null;

  @Field(() => String, { nullable: true, description: 'Default for a new account: its domain, else its externalId.' }) name?: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Attributes to set, typed by the account-scope catalog; others keep their values; null for one removes it.',
  })
  attributes?: Record<string, unknown> | null;
}

@InputType({ description: 'Up to 1,000 accounts to create or update.' })
export class UpsertAccountsInput {
  @Field(() => [UpsertAccountInput], { description: 'At most 1,000; each externalId and domain at most once.' })
  accounts: UpsertAccountInput[];

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'true: all or nothing. false: bad items get their errors, the others are written.',
  })
  atomic: boolean;
}

@ObjectType({ description: 'One thing wrong with one item of upsertAccounts; nothing was written for that item.' })
export class AccountItemError {
  @Field(() => String, { description: 'Where, e.g. input.accounts[3].domain.' }) path: string;
  @Field(() => String) message: string;
  @Field(() => String, { description: 'The extensions.code the same mistake gets alone: BAD_USER_INPUT, CONFLICT.' }) code: string;
  @Field(() => String, { description: 'The domain code, e.g. INVALID_ACCOUNT, DUPLICATE_IN_BATCH, ACCOUNT_CONFLICT.' }) reason: string;
}

@ObjectType({ description: 'What became of one item of upsertAccounts.' })
export class UpsertAccountResult {
  @Field(() => Int, { description: 'Position of the item in input.accounts.' }) index: number;
  @Field(() => Account, { nullable: true, description: 'The account as written; null when the item has errors.' }) account: Account | null;
  @Field(() => Boolean, { description: 'The account is new.' }) created: boolean;
  @Field(() => [AccountItemError], { description: 'Empty when the item was written.' }) errors: AccountItemError[];
}

@ObjectType()
export class UpsertAccountsPayload {
  @Field(() => [UpsertAccountResult], { description: 'One per item, in input order.' }) results: UpsertAccountResult[];
  @Field(() => Int) createdCount: number;
  @Field(() => Int) updatedCount: number;
  @Field(() => Int, { description: 'Items with errors (not written).' }) failedCount: number;
}

@InputType({ description: 'Moves every contact of the source account to the target; the source is kept, hidden, pointing at the target.' })
export class MergeAccountsInput {
  @Field(() => ID) sourceId: string;
  @Field(() => ID) targetId: string;
}

@InputType({ description: 'Places a lead in an account by hand (never moved by domain matching afterwards), or detaches it.' })
export class MoveLeadToAccountInput {
  @Field(() => ID) leadId: string;
  @Field(() => ID, { nullable: true, description: 'null detaches the lead from its account.' }) accountId: string | null;
}
