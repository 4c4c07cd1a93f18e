import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import { historyPageArgs } from '../scoring/lead-history';
import type { ScoreReader } from '../scoring/score-reader';
import { Score, ScoreChangeConnection } from '../scoring/score.types';
import type { AttributeType } from './attribute-definition.entity';
import type { LeadService } from './lead.service';
import { type LeadFilterData, withViewer } from './lead-filter';
import { LEAD_ROLES } from './lead-roles';
import {
  AttributeDefinition,
  AttributeScopeEnum,
  DefineAttributeInput,
  Lead,
  LeadConnection,
  LeadFilter,
  LeadOrderEnum,
  UpsertLeadInput,
  UpsertLeadsInput,
  UpsertLeadsPayload,
} from './lead.types';
import type { DataSource } from 'typeorm';

/**
 * LeadConnection carries its filter so totalCount is computed only when asked for; a connection
 * that is not a filtered listing (an account's contacts) carries its own count instead.
 */
export type LeadConnectionValue = LeadConnection & { filter: LeadFilterData | null; countTotal?: () => Promise<number> };

@Resolver(() => LeadConnection)
export class LeadConnectionResolver {
  constructor(private readonly leads: LeadService) {}

  @FieldResolver(() => Int, { description: 'Leads matching the filter.' })
  totalCount(@Root() connection: LeadConnectionValue): Promise<number> {
    if (connection.countTotal) return connection.countTotal();
    return this.leads.countLeads(connection.filter);
  }
}

@Resolver(() => Lead)
export class LeadResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leadService: LeadService,
    private readonly scores: ScoreReader,
  ) {}

  @Authorized(...LEAD_ROLES.read)
  @Query(() => Lead, {
    nullable: true,
    description:
      'One lead, by id, externalId or email (give exactly one); null when there is none. Emails match whatever their case; an email several leads share is a CONFLICT naming them.',
  })
  async lead(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('externalId', () => String, { nullable: true }) externalId: string | null,
    @Arg('email', () => String, { nullable: true }) email: string | null,
  ): Promise<Lead | null> {
    // The score is read with the lead, in one query: a client app's most frequent request.
    const found = await this.leadService.findLeadWithScore({ id, externalId, email });
    if (!found) return null;
    const { scoreRow, ...lead } = found;
    const [score] = scoreRow ? await this.scores.expand(this.dataSource.manager, [scoreRow]) : [null];
    ctx.loaders.score.prime(lead.id, score);
    return lead as unknown as Lead;
  }

  @Authorized(...LEAD_ROLES.read)
  @Query(() => LeadConnection, {
    description:
      'Leads with their scores, filtered, ordered by score by default, cursor-paginated both ways: first/after forwards, last/before backwards (pages of at most 1,000).',
  })
  async leads(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => LeadFilter, { nullable: true }) filter: LeadFilter | null,
    @Arg('orderBy', () => LeadOrderEnum, { nullable: true }) orderBy: LeadOrderEnum | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'The last leads before `before` (or of the whole list).' }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
    @Arg('model', () => String, {
      nullable: true,
      description: 'The lead score model (ScoreModel.key) the score filter and SCORE_* orders read; the default model when omitted.',
    })
    model: string | null,
  ): Promise<LeadConnectionValue> {
    filter = withViewer(filter, ctx.principal);
    // Carried in the filter so that totalCount counts the same leads.
    if (model != null) filter = { ...(filter ?? {}), model } as LeadFilter;
    const page = await this.leadService.listLeads({ filter, orderBy, first, after, last, before });
    const scores = await this.scores.expand(
      this.dataSource.manager,
      page.nodes.map((row) => row.scoreRow),
    );
    for (const score of scores) ctx.loaders.score.prime(score.leadId, score);
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node: node as unknown as Lead })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage, page.hasPreviousPage),
      filter,
    };
  }

  @Authorized(...LEAD_ROLES.read)
  @Query(() => [AttributeDefinition], {
    description: 'The catalog of explicit attributes and their types: of leads (default) or of accounts.',
  })
  async attributeDefinitions(
    @Arg('scope', () => AttributeScopeEnum, { nullable: true, description: 'LEAD (default) or ACCOUNT.' }) scope: AttributeScopeEnum | null,
  ): Promise<AttributeDefinition[]> {
    const inScope = scope ?? AttributeScopeEnum.LEAD;
    return [...(await this.leadService.attributeCatalog(inScope)).values()].map((spec) => ({ ...spec, scope: inScope }));
  }

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => Lead, { description: 'Creates or updates a lead by externalId and returns it with its new score.' })
  async upsertLead(@Arg('input', () => UpsertLeadInput) input: UpsertLeadInput, @Ctx() ctx: GraphQLContext): Promise<Lead> {
    const { leadId } = await this.leadService.upsertLead(input);
    ctx.loaders.score.clear(leadId);
    return (await this.leadService.getLead({ id: leadId })) as Lead;
  }

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => UpsertLeadsPayload, {
    description:
      'Creates or updates up to 1,000 leads by externalId, validated and scored as upsertLead does. atomic: false (default) writes the good items and reports each bad one; true writes all or nothing.',
  })
  async upsertLeads(
    @Arg('input', () => UpsertLeadsInput) input: UpsertLeadsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UpsertLeadsPayload> {
    const { results, scores } = await this.leadService.upsertLeads(input.leads ?? [], input.atomic ?? false);
    const leadIds = results.flatMap((result) => (result.leadId ? [result.leadId] : []));
    for (const id of leadIds) ctx.loaders.score.clear(id);
    for (const [id, score] of scores) ctx.loaders.score.prime(id, score);
    const leads = new Map((await this.leadService.findByIds(leadIds)).map((lead) => [lead.id, lead as unknown as Lead]));
    return {
      results: results.map(({ leadId, ...result }) => ({ ...result, lead: leadId ? (leads.get(leadId) ?? null) : null })),
      createdCount: results.filter((result) => result.leadId && result.created).length,
      updatedCount: results.filter((result) => result.leadId && !result.created).length,
      failedCount: results.filter((result) => !result.leadId).length,
    };
  }

  @Authorized(...LEAD_ROLES.defineAttribute)
  @Mutation(() => AttributeDefinition, {
    description: 'Adds an attribute to the catalog of its scope (leads by default, or accounts) or changes its definition.',
  })
  async defineAttribute(@Arg('input', () => DefineAttributeInput) input: DefineAttributeInput): Promise<AttributeDefinition> {
    const scope = input.scope ?? AttributeScopeEnum.LEAD;
    const spec = await this.leadService.defineAttribute(
      {
        name: input.name,
        type: input.type as AttributeType,
        label: input.label,
        description: input.description ?? '',
        allowedValues: input.allowedValues ?? null,
      },
      scope,
    );
    return { ...spec, scope };
  }

  @FieldResolver(() => Score, { nullable: true, description: 'The current score (null only while a new lead is being scored).' })
  score(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<Score | null> {
    return ctx.loaders.score.load(lead.id) as Promise<Score | null>;
  }

  @FieldResolver(() => ScoreChangeConnection, { description: 'Every change of the score, newest first.' })
  async scoreHistory(
    @Root() lead: Lead,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ScoreChangeConnection> {
    const page = await ctx.loaders.scoreHistory(historyPageArgs(first, after)).load(lead.id);
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
    };
  }
}
