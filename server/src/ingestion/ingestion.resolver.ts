import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf } from '../auth/actor';
import type { GraphQLContext } from '../graphql/context';
import { INGESTION_ROLES } from './ingestion-roles';
import type { IngestionService } from './ingestion.service';
import { TrackingConfig, TrackingConfigInput } from './ingestion.types';

@Resolver()
export class IngestionResolver {
  constructor(private readonly ingestion: IngestionService) {}

  @Authorized(...INGESTION_ROLES.configure)
  @Query(() => TrackingConfig, { description: 'How tracked events and traits are mapped (admin, marketing).' })
  trackingConfig(): Promise<TrackingConfig> {
    return this.ingestion.trackingConfig();
  }

  @Authorized(...INGESTION_ROLES.configure)
  @Mutation(() => TrackingConfig, {
    description: 'Replaces the tracking configuration; activity types and attributes are checked against their catalogs. Audited.',
  })
  setTrackingConfig(
    @Arg('input', () => TrackingConfigInput) input: TrackingConfigInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TrackingConfig> {
    return this.ingestion.setTrackingConfig(actorOf(ctx.principal, ctx.requestId), {
      unmappedEvents: input.unmappedEvents,
      eventMappings: input.eventMappings.map((entry) => ({
        kind: entry.kind,
        event: entry.event ?? null,
        path: entry.path ?? null,
        property: entry.property ?? null,
        value: entry.value ?? null,
        activityType: entry.activityType,
      })),
      traitMappings: input.traitMappings.map((entry) => ({ trait: entry.trait, attribute: entry.attribute })),
    });
  }
}
