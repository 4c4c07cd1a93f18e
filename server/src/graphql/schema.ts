import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import { AccountConnectionResolver, AccountResolver } from '../accounts/account.resolver';
import { ActivityResolver, RecordActivityPayloadResolver } from '../activities/activity.resolver';
import { ActivityCatalogResolver } from '../activities/activity-catalog.resolver';
import { LeadActivitiesResolver } from '../activities/lead-activities.resolver';
import { authChecker } from '../auth/auth-checker';
import { ApplySuggestionsResolver } from '../backtests/apply-suggestions.resolver';
import { BacktestResolver } from '../backtests/backtest.resolver';
import { BacktestCohortResolver, BacktestRunCohortResolver } from '../backtests/backtest-cohort.resolver';
import { ScoreConversionProbabilityResolver } from '../backtests/conversion-probability.resolver';
import { BacktestRunExportResolver } from '../backtests/backtest-export.resolver';
import { IngestionResolver } from '../ingestion/ingestion.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { OidcResolver } from '../auth/oidc/oidc.resolver';
import { LeadConnectionResolver, LeadResolver } from '../leads/lead.resolver';
import { LeadOutcomeResolver } from '../leads/lead-outcome.resolver';
import { AccountContactsResolver, LeadAccountResolver } from '../leads/lead-account.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { WebhookResolver } from '../webhooks/webhook.resolver';
import { LeadOwnerResolver, OwnerResolver } from '../owners/owner.resolver';
import { RoutingResolver } from '../owners/routing.resolver';
import { RuleSetResolver } from '../rulesets/ruleset.resolver';
import { PublishResultRescoreResolver, RescoreResolver, SetSegmentsResultRescoreResolver } from '../scoring/rescore/rescore.resolver';
import { ScoringResolver } from '../scoring/scoring.resolver';
import { DecayPreviewChangeResolver } from '../leads/decay-preview-lead.resolver';
import { LeadErasureResolver } from '../leads/lead-erasure.resolver';
import { LiveResolver } from '../live/live.resolver';
import { subscribeOnlyPubSub } from '../live/live-pubsub';
import { LeadListResolver } from '../lists/lead-list.resolver';
import { LeadModelScoresResolver } from '../leads/lead-model-scores.resolver';
import { ScoreModelResolver } from '../rulesets/score-models.resolver';
import { AccountScoringResolver } from '../accounts/account-scoring.resolver';

export const resolverClasses = [
  LeadResolver,
  LeadConnectionResolver,
  LeadOutcomeResolver,
  AccountResolver,
  AccountConnectionResolver,
  AccountContactsResolver,
  LeadAccountResolver,
  ActivityResolver,
  RecordActivityPayloadResolver,
  ActivityCatalogResolver,
  LeadActivitiesResolver,
  RuleSetResolver,
  RescoreResolver,
  PublishResultRescoreResolver,
  SetSegmentsResultRescoreResolver,
  ScoringResolver,
  DecayPreviewChangeResolver,
  LeadErasureResolver,
  AuthResolver,
  OidcResolver,
  AuditResolver,
  WebhookResolver,
  OwnerResolver,
  LeadOwnerResolver,
  RoutingResolver,
  BacktestResolver,
  ApplySuggestionsResolver,
  BacktestCohortResolver,
  BacktestRunCohortResolver,
  ScoreConversionProbabilityResolver,
  BacktestRunExportResolver,
  LiveResolver,
  LeadListResolver,
  IngestionResolver,
  ScoreModelResolver,
  LeadModelScoresResolver,
  AccountScoringResolver,
] as const;

/** Resolver instances by class: the composition root builds them, type-graphql asks for them here. */
export type ResolverInstances = Map<ResolverClass, object>;

/** A resolver class as type-graphql takes it (any constructor). */
// biome-ignore lint/suspicious/noExplicitAny: constructors of resolvers take different arguments
export type ResolverClass = abstract new (...args: any[]) => object;
type ResolverList = Parameters<typeof buildSchema>[0]['resolvers'];

export async function createSchema(instances: ResolverInstances): Promise<GraphQLSchema> {
  const container: ContainerType = {
    get(resolverClass: ResolverClass) {
      const instance = instances.get(resolverClass);
      if (!instance) throw new Error(`No instance for resolver ${resolverClass.name}`);
      return instance;
    },
  };
  return buildSchema({
    resolvers: [...resolverClasses] as unknown as ResolverList,
    container,
    authChecker,
    validate: false,
    pubSub: subscribeOnlyPubSub,
  });
}

/** The SDL committed as schema.graphql (sorted, so it diffs well). */
export function printSchemaSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** The schema's shape does not depend on resolver instances; this builds it without a database. */
export function buildSchemaForEmit(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolverClasses] as unknown as ResolverList,
    authChecker,
    validate: false,
    pubSub: subscribeOnlyPubSub,
  });
}
