import { Arg, Authorized, Ctx, Field, Float, GraphQLISODateTime, InputType, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import type { LeadOutcomeService } from './lead-outcome.service';
import type { LeadService } from './lead.service';
import { Lead, LeadOutcomeEnum } from './lead.types';
import { LEAD_ROLES } from './lead-roles';

@InputType({ description: 'How a lead ended: converted (won) or lost, and when; OPEN reopens it.' })
export class SetLeadOutcomeInput {
  @Field(() => String) externalId: string;

  @Field(() => LeadOutcomeEnum) outcome: LeadOutcomeEnum;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When it converted or was lost (default now); not in the future, not before the lead was created. Not for OPEN.',
  })
  at?: Date | null;

  @Field(() => Float, { nullable: true, description: 'Deal value of a CONVERTED lead: 0 or more, at most 2 decimals.' })
  dealValue?: number | null;
}

@Resolver()
export class LeadOutcomeResolver {
  constructor(
    private readonly outcomes: LeadOutcomeService,
    private readonly leads: LeadService,
  ) {}

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => Lead, {
    description: 'Records the outcome of a lead (historical or current), for backtests and reporting. Bad input writes nothing.',
  })
  async setLeadOutcome(@Arg('input', () => SetLeadOutcomeInput) input: SetLeadOutcomeInput, @Ctx() ctx: GraphQLContext): Promise<Lead> {
    const leadId = await this.outcomes.setOutcome(actorOf(ctx.principal, ctx.requestId), {
      externalId: input.externalId,
      outcome: input.outcome,
      at: input.at,
      dealValue: input.dealValue,
    });
    ctx.loaders.lead.clear(leadId);
    return (await this.leads.getLead({ id: leadId })) as Lead;
  }
}
