import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/actor';
import { UnauthenticatedError } from '../common/errors';
import { AuthErrorCode } from '../auth/auth.errors';
import type { GraphQLContext } from '../graphql/context';
import type { LeadService } from '../leads/lead.service';
import { Lead } from '../leads/lead.types';
import type { OwnerService } from './owner.service';
import { OWNER_ROLES } from './owner-roles';
import { DefineOwnerInput, Owner, UpdateOwnerInput } from './owner.types';

function principalOf(ctx: GraphQLContext) {
  if (!ctx.principal) throw new UnauthenticatedError(AuthErrorCode.NotAuthenticated, 'Sign in or send an API key');
  return ctx.principal;
}

@Resolver(() => Owner)
export class OwnerResolver {
  constructor(
    private readonly ownerService: OwnerService,
    private readonly leads: LeadService,
  ) {}

  @Authorized(...OWNER_ROLES.read)
  @Query(() => [Owner], { description: 'Owners by name (at most 1,000), optionally of one team or by active state.' })
  owners(
    @Arg('team', () => String, { nullable: true }) team: string | null,
    @Arg('active', () => Boolean, { nullable: true }) active: boolean | null,
  ): Promise<Owner[]> {
    return this.ownerService.listOwners({ team, active }) as Promise<Owner[]>;
  }

  @Authorized(...OWNER_ROLES.manage)
  @Mutation(() => Owner, { description: 'A sales user (kind USER, userId) or a named queue of a team (kind QUEUE).' })
  defineOwner(@Arg('input', () => DefineOwnerInput) input: DefineOwnerInput, @Ctx() ctx: GraphQLContext): Promise<Owner> {
    return this.ownerService.defineOwner(actorOf(ctx.principal, ctx.requestId), input) as Promise<Owner>;
  }

  @Authorized(...OWNER_ROLES.manage)
  @Mutation(() => Owner)
  updateOwner(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOwnerInput) input: UpdateOwnerInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Owner> {
    return this.ownerService.updateOwner(actorOf(ctx.principal, ctx.requestId), id, input) as Promise<Owner>;
  }

  @Authorized(...OWNER_ROLES.manage)
  @Mutation(() => Owner, { description: 'The owner keeps its leads and gets no new ones; routing rules that target it are skipped.' })
  deactivateOwner(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Owner> {
    return this.ownerService.deactivateOwner(actorOf(ctx.principal, ctx.requestId), id) as Promise<Owner>;
  }

  @Authorized(...OWNER_ROLES.assign)
  @Mutation(() => Lead, {
    description: 'Gives the lead an owner. Sales: only their own owner, and only a lead without owner; admin: any lead, any active owner.',
  })
  async assignLead(
    @Arg('leadId', () => ID) leadId: string,
    @Arg('ownerId', () => ID) ownerId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Lead> {
    await this.ownerService.assignLead(principalOf(ctx), ctx.requestId, leadId, ownerId);
    ctx.loaders.leadOwner.clear(leadId);
    return (await this.leads.findByIds([leadId]))[0] as unknown as Lead;
  }

  @Authorized(...OWNER_ROLES.assign)
  @Mutation(() => Lead, { description: "Takes the lead's owner away. Sales: only their own leads." })
  async unassignLead(@Arg('leadId', () => ID) leadId: string, @Ctx() ctx: GraphQLContext): Promise<Lead> {
    await this.ownerService.unassignLead(principalOf(ctx), ctx.requestId, leadId);
    ctx.loaders.leadOwner.clear(leadId);
    return (await this.leads.findByIds([leadId]))[0] as unknown as Lead;
  }
}

/** The `Lead.owner` field: owners build on leads, so the field lives here, not in leads/. */
@Resolver(() => Lead)
export class LeadOwnerResolver {
  @FieldResolver(() => Owner, { nullable: true, description: 'Who works the lead: a sales user or a queue; null when nobody does yet.' })
  owner(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<Owner | null> {
    return ctx.loaders.leadOwner.load(lead.id) as Promise<Owner | null>;
  }
}
