import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import type { LeadErasureService } from './lead-erasure.service';
import { LeadErasurePayload } from './lead-erasure.types';
import { LEAD_ROLES } from './lead-roles';

@Resolver()
export class LeadErasureResolver {
  constructor(private readonly erasure: LeadErasureService) {}

  @Authorized(...LEAD_ROLES.erase)
  @Mutation(() => LeadErasurePayload, {
    description:
      'Erases a lead (data-subject request), by id or externalId (exactly one): the lead, its activities, scores, history, webhook events and backtest snapshots, in one transaction. The audit log records the erasure without personal data. Irreversible.',
  })
  async eraseLead(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('externalId', () => String, { nullable: true }) externalId: string | null,
  ): Promise<LeadErasurePayload> {
    const erased = await this.erasure.eraseLead(actorOf(ctx.principal, ctx.requestId), { id, externalId });
    ctx.loaders.lead.clear(erased.leadId);
    ctx.loaders.score.clear(erased.leadId);
    return erased;
  }
}
