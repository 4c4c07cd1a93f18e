import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';
import { ScoreSnapshot } from './score.types';

@ObjectType({ description: 'A lead whose score the decay pass would change, with its score now and as projected.' })
export class DecayPreviewChange {
  @Field(() => ID) leadId: string;

  @Field(() => ScoreSnapshot, { nullable: true, description: 'The stored score; null for a lead not scored yet.' })
  current: ScoreSnapshot | null;

  @Field(() => ScoreSnapshot, { description: 'The score the pass would store as of `asOf`.' })
  projected: ScoreSnapshot;
}

@ObjectType({ description: 'Leads whose band would change from one band to another.' })
export class DecayBandMove {
  @Field(() => String, { nullable: true, description: 'Null for leads not scored yet.' }) from: string | null;
  @Field(() => String) to: string;
  @Field(() => Int) leads: number;
}

@ObjectType({
  description:
    'Counts over the leads this page examined (after its `after` cursor, up to its endCursor); the sums over all pages are the whole pass.',
})
export class DecayPreviewSummary {
  @Field(() => Int) leadsScored: number;
  @Field(() => Int, { description: 'Leads whose score would change (and get a history entry).' }) leadsChanged: number;
  @Field(() => Int, { description: 'Qualified leads that would no longer be.' }) leavingQualified: number;
  @Field(() => Int, { description: 'Leads that would become qualified.' }) enteringQualified: number;
  @Field(() => [DecayBandMove], { description: 'Band changes, most frequent first.' }) bandMoves: DecayBandMove[];
}

@ObjectType({ description: 'What the decay pass as of `asOf` would change; nothing is written.' })
export class DecayPreview {
  @Field(() => GraphQLISODateTime) asOf: Date;
  @Field(() => [DecayPreviewChange], { description: 'In lead id order, at most `first`.' }) changes: DecayPreviewChange[];
  @Field(() => DecayPreviewSummary) summary: DecayPreviewSummary;
  @Field(() => PageInfo) pageInfo: PageInfo;
}
