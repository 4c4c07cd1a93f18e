import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { DecayPreviewChange } from '../scoring/decay-preview.types';
import { Lead } from './lead.types';

/** The lead of a decayPreview change row: resolved here so scoring does not name the Lead type. */
@Resolver(() => DecayPreviewChange)
export class DecayPreviewChangeResolver {
  @FieldResolver(() => Lead, { nullable: true, description: 'The lead (null if it was deleted since).' })
  async lead(@Root() change: DecayPreviewChange, @Ctx() ctx: GraphQLContext): Promise<Lead | null> {
    return (await ctx.loaders.lead.load(change.leadId)) as unknown as Lead | null;
  }
}
