import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import type { LeadService } from '../leads/lead.service';
import { withViewer } from '../leads/lead-filter';
import { type Lead, LeadConnection } from '../leads/lead.types';
import type { ScoreReader } from '../scoring/score-reader';
import { filterToVariables } from './filter-json';
import type { LeadListEntity } from './lead-list.entity';
import { LeadListErrorCode } from './lead-list.errors';
import { type LeadListInput, type LeadListService, listActorOf, mayEdit } from './lead-list.service';
import { CreateLeadListInput, LeadList, UpdateLeadListInput } from './lead-list.types';
import { LIST_ROLES } from './lists-roles';

/** Where a list's CSV is downloaded (GET, authenticated like /graphql; the console forwards its session). */
export const exportPathOf = (listId: string) => `/export/leads.csv?list=${encodeURIComponent(listId)}`;

const asList = (entity: LeadListEntity) => entity as unknown as LeadList;

/**
 * Lists returned by `leadLists`: their `leads` are refused, so one request reads one list's leads
 * (up to 1,000 lists each paging its leads would be work no complexity estimate sees).
 */
const LISTED = Symbol('listed by leadLists');
// A property, not a WeakSet: type-graphql hands field resolvers a copy of the object (Object.assign
// onto the class), which keeps own symbol properties.
const isListed = (list: object) => (list as { [LISTED]?: boolean })[LISTED] === true;

/** GraphQL input classes to the service's plain input. */
function listInput(input: CreateLeadListInput | UpdateLeadListInput): LeadListInput {
  return {
    name: input.name,
    team: input.team,
    description: input.description,
    filter: input.filter,
    orderBy: input.orderBy,
  };
}

@Resolver(() => LeadList)
export class LeadListResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lists: LeadListService,
    private readonly leadService: LeadService,
    private readonly scores: ScoreReader,
  ) {}

  @Authorized(...LIST_ROLES.read)
  @Query(() => [LeadList], { description: 'Saved lists of every team (or of one), by team then name; at most 1,000.' })
  async leadLists(@Arg('team', () => String, { nullable: true }) team: string | null): Promise<LeadList[]> {
    const lists = await this.lists.list(team);
    for (const list of lists) Object.assign(list, { [LISTED]: true });
    return lists.map(asList);
  }

  @Authorized(...LIST_ROLES.read)
  @Query(() => LeadList, { description: 'One saved list.' })
  async leadList(@Arg('id', () => ID) id: string): Promise<LeadList> {
    return asList(await this.lists.get(id));
  }

  @Authorized(...LIST_ROLES.create)
  @Mutation(() => LeadList, { description: 'Saves a filter as a named list of a team. The filter is checked as `leads` checks it.' })
  async createLeadList(@Arg('input', () => CreateLeadListInput) input: CreateLeadListInput, @Ctx() ctx: GraphQLContext): Promise<LeadList> {
    return asList(await this.lists.create(listActorOf(ctx.principal, ctx.requestId), listInput(input)));
  }

  @Authorized(...LIST_ROLES.create)
  @Mutation(() => LeadList, { description: "Changes a saved list: its creator's or, for an admin, any." })
  async updateLeadList(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateLeadListInput) input: UpdateLeadListInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LeadList> {
    return asList(await this.lists.update(listActorOf(ctx.principal, ctx.requestId), id, listInput(input)));
  }

  @Authorized(...LIST_ROLES.create)
  @Mutation(() => ID, { description: "Deletes a saved list (its creator's or, for an admin, any) and answers its id." })
  deleteLeadList(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<string> {
    return this.lists.delete(listActorOf(ctx.principal, ctx.requestId), id);
  }

  @FieldResolver(() => String, { description: 'Who saved it, as the audit log names them (user:ana@acme.io).' })
  createdBy(@Root() list: LeadList): string {
    return (list as unknown as LeadListEntity).createdByName;
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'The saved LeadFilter, as the `leads` query takes it in its `filter` variable.' })
  filter(@Root() list: LeadList, @Info() info: GraphQLResolveInfo): Record<string, unknown> {
    return filterToVariables(info.schema, (list as unknown as LeadListEntity).filter);
  }

  @FieldResolver(() => Boolean, { description: 'Whether the caller may change or delete it (its creator, or an admin).' })
  canEdit(@Root() list: LeadList, @Ctx() ctx: GraphQLContext): boolean {
    return mayEdit(ctx.principal, list as unknown as LeadListEntity);
  }

  @FieldResolver(() => String, { description: 'Path of its CSV export on the API (and on the console), e.g. /export/leads.csv?list=12.' })
  exportPath(@Root() list: LeadList): string {
    return exportPathOf(list.id);
  }

  @FieldResolver(() => LeadConnection, {
    description: 'The leads of the list now, in its order: the same connection as `leads`. Only on leadList(id), not on leadLists.',
  })
  async leads(
    @Root() list: LeadList,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'The last leads before `before` (or of the whole list).' }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<LeadConnection> {
    if (isListed(list))
      throw InvalidInputError.field(LeadListErrorCode.InvalidList, 'leads', "ask for a list's leads with leadList(id), one list at a time");
    const { orderBy } = list as unknown as LeadListEntity;
    // `mine` in a saved list means the leads of whoever looks at it.
    const filter = withViewer((list as unknown as LeadListEntity).filter, ctx.principal);
    const page = await this.leadService.listLeads({ filter, orderBy: orderBy as LeadList['orderBy'], first, after, last, before });
    const scores = await this.scores.expand(
      this.dataSource.manager,
      page.nodes.map((row) => row.scoreRow),
    );
    for (const score of scores) ctx.loaders.score.prime(score.leadId, score);
    // `filter` lets LeadConnection.totalCount count the list's leads when asked.
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node: node as unknown as Lead })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage, page.hasPreviousPage),
      filter,
    } as LeadConnection;
  }
}
