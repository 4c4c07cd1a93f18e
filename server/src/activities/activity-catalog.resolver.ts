import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf } from '../auth/actor';
import { InvalidInputError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import type { ActivityPropertyType, UnknownActivityTypePolicy } from './activity-catalog';
import { ActivityCatalogErrorCode } from './activity-catalog.errors';
import { ACTIVITY_CATALOG_ROLES } from './activity-catalog-roles';
import type { ActivityCatalogService } from './activity-catalog.service';
import {
  ActivityCatalogSettings,
  ActivityTypeDefinition,
  DefineActivityTypeInput,
  SetUnknownActivityTypesInput,
  UnknownActivityTypesEnum,
} from './activity-catalog.types';

const settingsOf = (policy: UnknownActivityTypePolicy): ActivityCatalogSettings => ({
  unknownActivityTypes: policy.policy === 'MAP_TO' ? UnknownActivityTypesEnum.MAP_TO : UnknownActivityTypesEnum.REFUSE,
  mapTo: policy.policy === 'MAP_TO' ? policy.mapTo : null,
});

@Resolver()
export class ActivityCatalogResolver {
  constructor(private readonly catalog: ActivityCatalogService) {}

  @Authorized(...ACTIVITY_CATALOG_ROLES.read)
  @Query(() => [ActivityTypeDefinition], { description: 'The activity catalog: the types clients may record and rules may count.' })
  activityTypes(
    @Arg('includeRetired', () => Boolean, { nullable: true, description: 'Also list retired types (default false).' })
    includeRetired: boolean | null,
  ): Promise<ActivityTypeDefinition[]> {
    return this.catalog.list(includeRetired === true);
  }

  @Authorized(...ACTIVITY_CATALOG_ROLES.read)
  @Query(() => ActivityCatalogSettings, { description: 'What happens to activities of unknown types.' })
  async activityCatalogSettings(): Promise<ActivityCatalogSettings> {
    return settingsOf((await this.catalog.catalog()).unknownTypes);
  }

  @Authorized(...ACTIVITY_CATALOG_ROLES.manage)
  @Mutation(() => ActivityTypeDefinition, { description: 'Adds an activity type to the catalog or changes its definition (audited).' })
  defineActivityType(
    @Arg('input', () => DefineActivityTypeInput) input: DefineActivityTypeInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ActivityTypeDefinition> {
    return this.catalog.defineActivityType(actorOf(ctx.principal, ctx.requestId), {
      name: input.name,
      label: input.label,
      description: input.description,
      properties: input.properties?.map((p) => ({ name: p.name, type: p.type as ActivityPropertyType, required: p.required === true })),
      openProperties: input.openProperties,
    });
  }

  @Authorized(...ACTIVITY_CATALOG_ROLES.manage)
  @Mutation(() => ActivityTypeDefinition, {
    description: 'Retires an activity type: new activities of it are refused; recorded ones stay and rules may count them (audited).',
  })
  retireActivityType(@Arg('name', () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<ActivityTypeDefinition> {
    return this.catalog.retireActivityType(actorOf(ctx.principal, ctx.requestId), name);
  }

  @Authorized(...ACTIVITY_CATALOG_ROLES.manage)
  @Mutation(() => ActivityCatalogSettings, { description: 'Sets what happens to activities of unknown types (audited).' })
  async setUnknownActivityTypes(
    @Arg('input', () => SetUnknownActivityTypesInput) input: SetUnknownActivityTypesInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ActivityCatalogSettings> {
    let policy: UnknownActivityTypePolicy = { policy: 'REFUSE' };
    if (input.unknownActivityTypes === UnknownActivityTypesEnum.MAP_TO) {
      if (!input.mapTo?.trim())
        throw InvalidInputError.field(ActivityCatalogErrorCode.InvalidUnknownTypePolicy, 'input.mapTo', 'is required with MAP_TO');
      policy = { policy: 'MAP_TO', mapTo: input.mapTo };
    } else if (input.mapTo != null)
      throw InvalidInputError.field(ActivityCatalogErrorCode.InvalidUnknownTypePolicy, 'input.mapTo', 'only goes with MAP_TO');
    return settingsOf(await this.catalog.setUnknownActivityTypes(actorOf(ctx.principal, ctx.requestId), policy));
  }
}
