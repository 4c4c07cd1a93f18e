import { Arg, Authorized, Field, Float, FieldResolver, GraphQLISODateTime, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { RULE_SET_ROLES } from '../../rulesets/ruleset-roles';
import { PublishResult, SetSegmentsResult } from '../../rulesets/ruleset.types';
import type { RescoreService } from './rescore.service';

@ObjectType({ description: 'Re-scoring of every lead after a publish or rollback.' })
export class RescoreJob {
  @Field(() => ID) id: string;
  @Field(() => String) ruleSetKey: string;
  @Field(() => String, { description: 'The score model it re-scores (ScoreModel.key).' }) model: string;
  @Field(() => String, { description: 'lead or account: what it re-scores (an account model job counts accounts in its *Leads fields).' })
  subject: string;
  @Field(() => Int) version: number;
  @Field(() => String, { description: 'running, completed, failed or superseded (a newer publish took over)' }) status: string;
  @Field(() => Int) totalLeads: number;
  @Field(() => Int) doneLeads: number;
  @Field(() => Int, { description: 'Leads whose score changed (each got a history entry).' }) changedLeads: number;
  @Field(() => Int) totalChunks: number;
  @Field(() => Int) doneChunks: number;
  @Field(() => Float) percent: number;
  @Field(() => Int, { nullable: true }) leadsPerSecond: number | null;
  @Field(() => Int, { nullable: true }) etaSeconds: number | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => String) createdBy: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt: Date | null;
}

/** Re-score progress, for everyone who may read rule sets. */
@Resolver()
export class RescoreResolver {
  constructor(private readonly rescore: RescoreService) {}

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => RescoreJob, { description: 'Progress of a re-score job: done / total, rate and ETA.' })
  rescoreJob(@Arg('id', () => ID) id: string): Promise<RescoreJob> {
    return this.rescore.getJob(id);
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => [RescoreJob], { description: 'Recent re-score jobs, newest first.' })
  rescoreJobs(@Arg('ruleSetKey', () => String, { nullable: true }) ruleSetKey: string | null): Promise<RescoreJob[]> {
    return this.rescore.listJobs(ruleSetKey);
  }
}

/** The job a publish or a rollback started, beside the version (rulesets/ does not know re-score jobs). */
@Resolver(() => PublishResult)
export class PublishResultRescoreResolver {
  constructor(private readonly rescore: RescoreService) {}

  @FieldResolver(() => RescoreJob)
  rescoreJob(@Root() result: PublishResult): Promise<RescoreJob> {
    return this.rescore.getJob(result.rescoreJobId);
  }
}

/** The job a segment change started, if any. */
@Resolver(() => SetSegmentsResult)
export class SetSegmentsResultRescoreResolver {
  constructor(private readonly rescore: RescoreService) {}

  @FieldResolver(() => RescoreJob, {
    nullable: true,
    description: 'Re-scores the leads of the segments that changed rule set; null when the rule set is not active or nothing changed.',
  })
  async rescoreJob(@Root() result: SetSegmentsResult): Promise<RescoreJob | null> {
    return result.rescoreJobId ? this.rescore.getJob(result.rescoreJobId) : null;
  }
}
