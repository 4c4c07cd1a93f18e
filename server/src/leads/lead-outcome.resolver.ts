import { Arg, Authorized, Ctx, Field, Float, GraphQLISODateTime, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import type { LeadOutcomeService } from './lead-outcome.service';
import type { LeadService } from './lead.service';
import { BatchItemError, Lead, LeadOutcomeEnum } from './lead.types';
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

@InputType({ description: 'Up to 1,000 outcomes, each as setLeadOutcome takes it.' })
export class SetLeadOutcomesInput {
  @Field(() => [SetLeadOutcomeInput], { description: 'At most 1,000; each externalId at most once.' }) outcomes: SetLeadOutcomeInput[];

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'true: all or nothing (any bad item fails the call, listing every bad item). false: bad items get their errors, the others are written.',
  })
  atomic: boolean;
}

@ObjectType({ description: 'What became of one item of setLeadOutcomes.' })
export class LeadOutcomeResult {
  @Field(() => Int, { description: 'Position of the item in input.outcomes.' }) index: number;
  @Field(() => String) externalId: string;
  @Field(() => Lead, { nullable: true, description: 'The lead with its outcome; null when the item has errors.' }) lead: Lead | null;
  @Field(() => [BatchItemError], { description: 'Empty when the outcome was written.' }) errors: BatchItemError[];
}

@ObjectType()
export class SetLeadOutcomesPayload {
  @Field(() => [LeadOutcomeResult], { description: 'One per item, in input order.' }) results: LeadOutcomeResult[];
  @Field(() => Int, { description: 'Items with errors (not written).' }) failedCount: number;
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

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => SetLeadOutcomesPayload, {
    description:
      'Records up to 1,000 outcomes in one transaction, each checked as setLeadOutcome checks one. atomic: false (default) writes the good items and reports each bad one (an unknown lead is NOT_FOUND in its errors); true writes all or nothing.',
  })
  async setLeadOutcomes(
    @Arg('input', () => SetLeadOutcomesInput) input: SetLeadOutcomesInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SetLeadOutcomesPayload> {
    const results = await this.outcomes.setOutcomes(
      actorOf(ctx.principal, ctx.requestId),
      (input.outcomes ?? []).map((item) => ({
        externalId: item.externalId,
        outcome: item.outcome,
        at: item.at,
        dealValue: item.dealValue,
      })),
      input.atomic ?? false,
    );
    const leadIds = results.flatMap((result) => (result.leadId ? [result.leadId] : []));
    const leads = new Map((await this.leads.findByIds(leadIds)).map((lead) => [lead.id, lead as unknown as Lead]));
    return {
      results: results.map(({ leadId, index, externalId, errors }) => ({
        index,
        externalId,
        errors,
        lead: leadId ? (leads.get(leadId) ?? null) : null,
      })),
      failedCount: results.filter((result) => !result.leadId).length,
    };
  }
}
