import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/actor';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import type { AccountService } from './account.service';
import {
  Account,
  AccountConnection,
  AccountOrderEnum,
  MergeAccountsInput,
  UpsertAccountsInput,
  UpsertAccountsPayload,
} from './account.types';
import type { AccountWriteService } from './account-writes.service';
import { ACCOUNT_ROLES } from './account-roles';

/** AccountConnection carries its search so totalCount is computed only when asked for. */
type AccountConnectionValue = AccountConnection & { search: string | null };

@Resolver(() => AccountConnection)
export class AccountConnectionResolver {
  constructor(private readonly accounts: AccountService) {}

  @FieldResolver(() => Int, { description: 'Accounts matching the search (merged ones never count).' })
  totalCount(@Root() connection: AccountConnectionValue): Promise<number> {
    return this.accounts.countAccounts(connection.search);
  }
}

@Resolver(() => Account)
export class AccountResolver {
  constructor(
    private readonly service: AccountService,
    private readonly writes: AccountWriteService,
  ) {}

  @Authorized(...ACCOUNT_ROLES.read)
  @Query(() => AccountConnection, {
    description:
      'Accounts (merged ones hidden), ordered by score in an account model by default, cursor-paginated (first/after, pages of at most 1,000); search: a prefix of name, domain or externalId.',
  })
  async accounts(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => AccountOrderEnum, { nullable: true }) orderBy: AccountOrderEnum | null,
    @Arg('model', () => String, {
      nullable: true,
      description: 'The account model SCORE_DESC orders by (default: the default account model).',
    })
    model: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
  ): Promise<AccountConnectionValue> {
    const page = await this.service.listAccounts({ first, after, orderBy, model, search });
    const nodes = page.nodes as unknown as Account[];
    return {
      nodes,
      edges: nodes.map((node, index) => ({ cursor: page.cursors[index], node })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
      search,
    };
  }

  @Authorized(...ACCOUNT_ROLES.read)
  @Query(() => Account, {
    nullable: true,
    description:
      'One account by id or externalId (give exactly one); null when there is none. A merged account is returned with mergedIntoId set.',
  })
  async account(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('externalId', () => String, { nullable: true }) externalId: string | null,
  ): Promise<Account | null> {
    return (await this.service.findAccount({ id, externalId })) as Account | null;
  }

  @Authorized(...ACCOUNT_ROLES.write)
  @Mutation(() => UpsertAccountsPayload, {
    description:
      'Creates or updates up to 1,000 accounts, found by externalId else by domain (one merged away: the account it was merged into). Attributes are checked against the account-scope catalog. atomic: false (default) writes the good items and reports each bad one; true writes all or nothing.',
  })
  async upsertAccounts(
    @Arg('input', () => UpsertAccountsInput) input: UpsertAccountsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UpsertAccountsPayload> {
    const results = await this.writes.upsertAccounts(actorOf(ctx.principal, ctx.requestId), input.accounts ?? [], input.atomic ?? false);
    const ids = results.flatMap((result) => (result.accountId ? [result.accountId] : []));
    const accounts = new Map((await this.service.findByIds(ids)).map((account) => [account.id, account as unknown as Account]));
    return {
      results: results.map(({ accountId, ...result }) => ({ ...result, account: accountId ? (accounts.get(accountId) ?? null) : null })),
      createdCount: results.filter((result) => result.accountId && result.created).length,
      updatedCount: results.filter((result) => result.accountId && !result.created).length,
      failedCount: results.filter((result) => !result.accountId).length,
    };
  }

  @Authorized(...ACCOUNT_ROLES.write)
  @Mutation(() => Account, {
    description:
      'Merges the source account into the target: every contact moves (and is re-scored), the source is kept hidden with mergedIntoId, and later writes naming it land on the target. At most 5,000 contacts; audited.',
  })
  async mergeAccounts(@Arg('input', () => MergeAccountsInput) input: MergeAccountsInput, @Ctx() ctx: GraphQLContext): Promise<Account> {
    const merged = await this.writes.mergeAccounts(actorOf(ctx.principal, ctx.requestId), input.sourceId, input.targetId);
    return merged as unknown as Account;
  }

  @FieldResolver(() => Int, { description: 'How many leads belong to the account.' })
  contactCount(@Root() account: Account, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.loaders.contactCount.load(account.id);
  }
}
