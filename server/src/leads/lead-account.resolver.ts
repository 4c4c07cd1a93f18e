import {
  Arg,
  Authorized,
  Ctx,
  Field,
  Float,
  FieldResolver,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  Mutation,
  Resolver,
  Root,
} from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import { Account, MoveLeadToAccountInput } from '../accounts/account.types';
import type { AccountWriteService } from '../accounts/account-writes.service';
import { ACCOUNT_ROLES } from '../accounts/account-roles';
import { actorOf } from '../auth/actor';
import { pageInfo } from '../graphql/common.types';
import { type GraphQLContext, pageLoaders } from '../graphql/context';
import type { LeadEntity } from './lead.entity';
import type { LeadConnectionValue } from './lead.resolver';
import type { LeadService } from './lead.service';
import { Lead, LeadConnection, LeadOutcomeEnum } from './lead.types';
import { type ContactPageArgs, contactPages } from './lead-contacts';
import type { Page } from '../common/pagination';

/*
 * Where accounts meet leads: fields and mutations whose types are the leads' (Lead, LeadConnection,
 * LeadOutcome) live here, a layer above accounts/.
 */

@InputType({ description: 'How an account ended: converted (won) or lost, and when; OPEN reopens it.' })
export class SetAccountOutcomeInput {
  @Field(() => ID) accountId: string;
  @Field(() => LeadOutcomeEnum) outcome: LeadOutcomeEnum;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When (default now); not in the future. Not for OPEN.' })
  at?: Date | null;
  @Field(() => Float, { nullable: true, description: 'Deal value of a CONVERTED account: 0 or more, at most 2 decimals.' })
  dealValue?: number | null;
}

/** Per request: one loader of contact pages per distinct page arguments, keyed by account id. */
const contactLoaders = new WeakMap<object, (args: ContactPageArgs) => { load(id: string): Promise<Page<LeadEntity>> }>();

@Resolver(() => Account)
export class AccountContactsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountService,
  ) {}

  @FieldResolver(() => LeadOutcomeEnum, { description: 'open, converted or lost.' })
  outcome(@Root() account: Account): LeadOutcomeEnum {
    return account.outcome as LeadOutcomeEnum;
  }

  @FieldResolver(() => LeadConnection, { description: 'The leads of the account, best scored first (pages of at most 200).' })
  async contacts(
    @Root() account: Account,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<LeadConnectionValue> {
    let loaders = contactLoaders.get(ctx.loaders);
    if (!loaders) {
      loaders = pageLoaders((accountIds: readonly string[], args: ContactPageArgs) => contactPages(this.dataSource, accountIds, args));
      contactLoaders.set(ctx.loaders, loaders);
    }
    const page = await loaders({ first, after }).load(account.id);
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node: node as unknown as Lead })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
      filter: null,
      countTotal: () => ctx.loaders.contactCount.load(account.id),
    };
  }

  @Authorized(...ACCOUNT_ROLES.write)
  @Mutation(() => Account, { description: 'Records how an account ended (or reopens it), for backtests and reporting; audited.' })
  async setAccountOutcome(
    @Arg('input', () => SetAccountOutcomeInput) input: SetAccountOutcomeInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Account> {
    const account = await this.accounts.setOutcome(actorOf(ctx.principal, ctx.requestId), {
      accountId: input.accountId,
      outcome: input.outcome,
      at: input.at,
      dealValue: input.dealValue,
    });
    ctx.loaders.account.clear(account.id);
    return account as unknown as Account;
  }
}

@Resolver(() => Lead)
export class LeadAccountResolver {
  constructor(
    private readonly leads: LeadService,
    private readonly writes: AccountWriteService,
  ) {}

  @FieldResolver(() => Account, { nullable: true, description: 'The account (company) the lead belongs to; null when none.' })
  account(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<Account | null> {
    return ctx.loaders.accountOfLead.load(lead.id) as Promise<Account | null>;
  }

  @Authorized(...ACCOUNT_ROLES.write)
  @Mutation(() => Lead, {
    description:
      'Places a lead in an account by hand, or detaches it (accountId null); matching by e-mail domain leaves it there from then on. Re-scores the lead; audited.',
  })
  async moveLeadToAccount(
    @Arg('input', () => MoveLeadToAccountInput) input: MoveLeadToAccountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Lead> {
    const leadId = await this.writes.moveLead(actorOf(ctx.principal, ctx.requestId), input.leadId, input.accountId ?? null);
    ctx.loaders.accountOfLead.clear(leadId);
    ctx.loaders.score.clear(leadId);
    return (await this.leads.getLead({ id: leadId })) as Lead;
  }
}
