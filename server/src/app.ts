import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type Clock, systemClock } from './common/clock';
import { AccountConnectionResolver, AccountResolver } from './accounts/account.resolver';
import { AccountService } from './accounts/account.service';
import { accountLoaders } from './accounts/account-loaders';
import { AccountWriteService } from './accounts/account-writes.service';
import { ActivityResolver, RecordActivityPayloadResolver } from './activities/activity.resolver';
import { ActivityService } from './activities/activity.service';
import { ActivityCatalogResolver } from './activities/activity-catalog.resolver';
import { ActivityCatalogService } from './activities/activity-catalog.service';
import { activityLoaders } from './activities/activity-loaders';
import { LeadActivitiesResolver } from './activities/lead-activities.resolver';
import { AuditResolver } from './audit/audit.resolver';
import { AuditService } from './audit/audit.service';
import { AuthResolver } from './auth/auth.resolver';
import { AuthService } from './auth/auth.service';
import { type OidcConfig, oidcConfigFromEnv } from './auth/oidc/oidc-config';
import { OidcResolver } from './auth/oidc/oidc.resolver';
import { OidcSignInService } from './auth/oidc/oidc-sign-in.service';
import { BacktestQueue } from './backtests/backtest-queue';
import { ApplySuggestionsResolver } from './backtests/apply-suggestions.resolver';
import { ApplySuggestionsService } from './backtests/apply-suggestions.service';
import { BacktestResolver } from './backtests/backtest.resolver';
import { BacktestCohortResolver, BacktestRunCohortResolver } from './backtests/backtest-cohort.resolver';
import { BacktestService } from './backtests/backtest.service';
import { calibrationLoaders } from './backtests/calibration-loaders';
import { ScoreConversionProbabilityResolver } from './backtests/conversion-probability.resolver';
import { BacktestExportService } from './backtests/backtest-export';
import { BacktestRunExportResolver } from './backtests/backtest-export.resolver';
import { createDataSource } from './db/data-source';
import type { DatabaseConfig } from './db/database-config';
import type { LoaderFactory } from './graphql/context';
import { createSchema, type ResolverInstances, type ResolverClass } from './graphql/schema';
import { ImportService } from './imports/import.service';
import { IngestionResolver } from './ingestion/ingestion.resolver';
import { IngestionService } from './ingestion/ingestion.service';
import { createBoss, JobQueue } from './jobs/job-queue';
import { LeadConnectionResolver, LeadResolver } from './leads/lead.resolver';
import { LeadService } from './leads/lead.service';
import { AccountContactsResolver, LeadAccountResolver } from './leads/lead-account.resolver';
import { leadLoaders } from './leads/lead-loaders';
import { LeadOutcomeResolver } from './leads/lead-outcome.resolver';
import { LeadOutcomeService } from './leads/lead-outcome.service';
import { LeadErasureResolver } from './leads/lead-erasure.resolver';
import { LeadErasureService } from './leads/lead-erasure.service';
import { LeadExportService } from './lists/lead-export';
import { LeadListResolver } from './lists/lead-list.resolver';
import { LeadListService } from './lists/lead-list.service';
import { PublishResultRescoreResolver, RescoreResolver, SetSegmentsResultRescoreResolver } from './scoring/rescore/rescore.resolver';
import { RescoreQueue } from './scoring/rescore/rescore-queue';
import { LeadModelScorer } from './scoring/models/lead-model-scorer';
import { modelScoreLoaders } from './scoring/models/model-score-loaders';
import { AccountScoringFollower, AccountSubjectScorer } from './accounts/account-scoring-follower';
import { accountScoringLoaders } from './accounts/account-scoring-loaders';
import { AccountScoringResolver } from './accounts/account-scoring.resolver';
import { AccountScoringService, DEFAULT_ACCOUNT_MODEL } from './accounts/account-scoring.service';
import { ensureAccountDefaultRuleSet } from './accounts/account-scoring-setup';
import { AccountScoringWorker } from './accounts/account-scoring-worker';
import { ScoreModelResolver } from './rulesets/score-models.resolver';
import { LeadModelScoresResolver } from './leads/lead-model-scores.resolver';
import { RescoreService } from './scoring/rescore/rescore.service';
import { RuleSetResolver } from './rulesets/ruleset.resolver';
import { RuleSetService } from './rulesets/ruleset.service';
import { RuleSetPublishingService } from './rulesets/ruleset-publishing.service';
import { RuleSetSimulationService } from './rulesets/ruleset-simulation.service';
import { RuleSetWorkflowService } from './rulesets/ruleset-workflow.service';
import { ScorePassService } from './scoring/score-pass.service';
import { ScoringResolver } from './scoring/scoring.resolver';
import { DecayPreviewChangeResolver } from './leads/decay-preview-lead.resolver';
import { DecaySchedule } from './scoring/decay-schedule';
import { ScoreComputation } from './scoring/score-computation';
import { ScoreReader } from './scoring/score-reader';
import { scoreLoaders } from './scoring/score-loaders';
import { ScoringService } from './scoring/scoring.service';
import { WebhookResolver } from './webhooks/webhook.resolver';
import { OwnerService } from './owners/owner.service';
import { LeadOwnerResolver, OwnerResolver } from './owners/owner.resolver';
import { ownerLoaders } from './owners/owner-loaders';
import { RoutingResolver } from './owners/routing.resolver';
import { RoutingService } from './owners/routing.service';
import { WebhookQueue } from './webhooks/webhook-queue';
import { LiveResolver } from './live/live.resolver';
import { LiveService } from './live/live.service';
import { WebhookService, type WebhookOptions } from './webhooks/webhook.service';
import { webhookTargetPolicyFromEnv } from './webhooks/webhook-target';

export interface Services {
  ruleSets: RuleSetService;
  workflow: RuleSetWorkflowService;
  simulation: RuleSetSimulationService;
  rescore: RescoreService;
  scoring: ScoringService;
  scoreReader: ScoreReader;
  scorePass: ScorePassService;
  leads: LeadService;
  accounts: AccountService;
  accountWrites: AccountWriteService;
  activities: ActivityService;
  auth: AuthService;
  /** Single sign-on; null when OIDC_ISSUER is unset. */
  oidc: OidcSignInService | null;
  audit: AuditService;
  webhooks: WebhookService;
  owners: OwnerService;
  routing: RoutingService;
  backtests: BacktestService;
  backtestExport: BacktestExportService;
  imports: ImportService;
  leadLists: LeadListService;
  leadExport: LeadExportService;
  /** The Segment-compatible tracking API (http/ mounts its routes). */
  ingestion: IngestionService;
  /** Live updates: GraphQL subscriptions over WebSocket (http/ attaches them to its server). */
  live: LiveService;
  /** Account scores in the account models (followers of lead scoring; deferred work in its worker). */
  accountScoring: AccountScoringService;
}

export interface App {
  dataSource: DataSource;
  services: Services;
  jobs: JobQueue;
  schema: GraphQLSchema;
  /** A request's GraphQL loaders (http/ builds the context with them). */
  createLoaders: LoaderFactory;
  logger: Logger;
  /** Runs this process's job workers: re-score chunks and the daily decay pass. */
  startWorkers(options?: { decayCron?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface AppConfig {
  database: DatabaseConfig;
  logger: Logger;
  /** Roles that may publish and roll back rule sets (admin always may). */
  publishRoles?: string[];
  /** recordActivity transactions this process runs at once (see ActivityService). */
  recordActivityConcurrency?: number;
  /** Which webhook receivers may be reached; default from WEBHOOK_ALLOW_PRIVATE / WEBHOOK_ALLOWED_NETWORKS (public only). */
  webhooks?: WebhookOptions;
  /** Where time is read for sessions, keys and sign-in throttling (tests move it); the system clock by default. */
  clock?: Clock;
  /** Single sign-on; from OIDC_* when absent (null: off). */
  oidc?: OidcConfig | null;
}

/** The composition root: database, job queue, services, resolvers. Migrates and installs first-start config. */
export async function createApp(config: AppConfig): Promise<App> {
  // Read first: a misconfigured single sign-on stops the start before anything is opened.
  const oidcConfig =
    config.oidc === undefined ? oidcConfigFromEnv(process.env, { production: process.env.NODE_ENV === 'production' }) : config.oidc;
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  await dataSource.runMigrations();
  const jobs = new JobQueue(createBoss(config.database), config.logger);
  await jobs.start();
  const rescoreQueue = new RescoreQueue(jobs.boss, config.logger);
  const webhookQueue = new WebhookQueue(jobs.boss, config.logger);
  const decaySchedule = new DecaySchedule(jobs.boss, config.logger);
  for (const queue of [rescoreQueue, webhookQueue, decaySchedule]) await queue.start();

  const ruleSets = new RuleSetService();
  const scoreComputation = new ScoreComputation(ruleSets);
  const scoring = new ScoringService(scoreComputation);
  const scoreReader = new ScoreReader(ruleSets, scoreComputation);
  const scorePass = new ScorePassService(dataSource, scoring, scoreReader, { clock: config.clock });
  const leads = new LeadService(dataSource, scoring);
  const imports = new ImportService(dataSource, scoring, leads);
  const audit = new AuditService(dataSource);
  const accounts = new AccountService(dataSource, audit);
  const accountWrites = new AccountWriteService(dataSource, scoring, audit, () => leads.accountAttributeChecker());
  const activityCatalog = new ActivityCatalogService(dataSource, audit);
  const activities = new ActivityService(dataSource, scoring, {
    recordConcurrency: config.recordActivityConcurrency,
    catalog: () => activityCatalog.catalog(),
  });
  const auth = new AuthService(dataSource, audit, { clock: config.clock });
  const oidc = oidcConfig
    ? new OidcSignInService(
        dataSource,
        audit,
        (...args) => auth.openSession(...args),
        oidcConfig,
        config.clock ?? systemClock,
        config.logger,
      )
    : null;
  const outcomes = new LeadOutcomeService(dataSource, audit);
  const erasure = new LeadErasureService(dataSource, audit);
  const rescore = new RescoreService(dataSource, scoring, ruleSets);
  rescore.setDispatcher(rescoreQueue);
  // Other lead score models follow the default model's scoring; their publishes re-score them alone.
  const leadModels = new LeadModelScorer(ruleSets);
  scoring.addFollower(leadModels);
  rescore.registerSubjectScorer(leadModels);
  // Accounts follow their contacts' scores (after the lead models); account model publishes re-score accounts.
  const accountScoring = new AccountScoringService(ruleSets, scoring);
  scoring.addFollower(new AccountScoringFollower(accountScoring));
  rescore.registerSubjectScorer(new AccountSubjectScorer(accountScoring));
  const accountScoringWorker = new AccountScoringWorker(dataSource, accountScoring, scoring, config.logger);
  const publishing = new RuleSetPublishingService(dataSource, ruleSets, rescore, audit, { publishRoles: config.publishRoles ?? ['admin'] });
  const workflow = new RuleSetWorkflowService(
    dataSource,
    ruleSets,
    publishing,
    audit,
    (scope) => leads.attributeCatalog(scope),
    async () =>
      new Map([...(await activityCatalog.catalog()).types].map(([name, type]) => [name, { name, retired: type.retiredAt !== null }])),
  );
  const simulation = new RuleSetSimulationService(dataSource, ruleSets, workflow, leads);
  const webhooks = new WebhookService(
    dataSource,
    audit,
    config.logger,
    config.webhooks ?? { policy: webhookTargetPolicyFromEnv(process.env) },
  );
  webhooks.setQueue(webhookQueue);
  scoring.addChangeListener(webhooks);
  // Owners: routing listens to score changes; webhooks to assignments (owners never import webhooks).
  const owners = new OwnerService(dataSource, audit);
  const routing = new RoutingService(dataSource, audit, owners, ruleSets, leads);
  scoring.addChangeListener(routing);
  owners.addAssignmentListener(webhooks);
  webhooks.setBandCatalog(
    async () =>
      new Set((await ruleSets.activeRuleSets(dataSource.manager)).flatMap((active) => active.definition.bands.map((band) => band.name))),
  );
  const backtestQueue = new BacktestQueue(createBoss(config.database), config.logger);
  await backtestQueue.start();
  const backtests = new BacktestService(dataSource, workflow, () => leads.attributeCatalog(), config.logger);
  backtests.setDispatcher(backtestQueue);
  const applySuggestions = new ApplySuggestionsService(dataSource, backtests, workflow);
  const backtestExport = new BacktestExportService(dataSource, backtests, workflow, { secret: process.env.BACKTEST_EXPORT_SECRET });
  const leadLists = new LeadListService(dataSource, leads, audit);
  const leadExport = new LeadExportService(dataSource, leads, leadLists, scoreReader);
  const ingestion = new IngestionService(dataSource, leads, activities, audit);
  const live = new LiveService({
    dataSource,
    database: config.database,
    scoreReader,
    ruleSets,
    rescore,
    leads,
    auth,
    logger: config.logger,
  });
  scoring.addChangeListener(live.notifier);

  await dataSource.transaction(async (manager) => {
    await leads.ensureAttributeCatalog(manager);
    await activityCatalog.ensureBuiltIns(manager);
    await ruleSets.ensureDefaultRuleSet(manager);
    await ensureAccountDefaultRuleSet(manager, ruleSets);
    await ingestion.ensureDefaultConfig(manager);
  });

  const resolvers: ResolverInstances = new Map<ResolverClass, object>([
    [LeadResolver, new LeadResolver(dataSource, leads, scoreReader)],
    [LeadActivitiesResolver, new LeadActivitiesResolver(activities)],
    [LeadConnectionResolver, new LeadConnectionResolver(leads)],
    [AccountResolver, new AccountResolver(accounts, accountWrites)],
    [AccountConnectionResolver, new AccountConnectionResolver(accounts)],
    [AccountContactsResolver, new AccountContactsResolver(dataSource, accounts)],
    [LeadAccountResolver, new LeadAccountResolver(leads, accountWrites)],
    [LeadOutcomeResolver, new LeadOutcomeResolver(outcomes, leads)],
    [ActivityResolver, new ActivityResolver(activities, leads)],
    [RecordActivityPayloadResolver, new RecordActivityPayloadResolver()],
    [ActivityCatalogResolver, new ActivityCatalogResolver(activityCatalog)],
    [RuleSetResolver, new RuleSetResolver(dataSource, ruleSets, workflow, simulation)],
    [RescoreResolver, new RescoreResolver(rescore)],
    [PublishResultRescoreResolver, new PublishResultRescoreResolver(rescore)],
    [SetSegmentsResultRescoreResolver, new SetSegmentsResultRescoreResolver(rescore)],
    [ScoringResolver, new ScoringResolver(scorePass)],
    [DecayPreviewChangeResolver, new DecayPreviewChangeResolver()],
    [LeadErasureResolver, new LeadErasureResolver(erasure)],
    [AuthResolver, new AuthResolver(auth)],
    [OidcResolver, new OidcResolver(oidc)],
    [AuditResolver, new AuditResolver(audit)],
    [WebhookResolver, new WebhookResolver(webhooks)],
    [OwnerResolver, new OwnerResolver(owners, leads)],
    [LeadOwnerResolver, new LeadOwnerResolver()],
    [RoutingResolver, new RoutingResolver(routing, owners)],
    [BacktestResolver, new BacktestResolver(backtests)],
    [ApplySuggestionsResolver, new ApplySuggestionsResolver(applySuggestions)],
    [BacktestCohortResolver, new BacktestCohortResolver(backtests)],
    [BacktestRunCohortResolver, new BacktestRunCohortResolver(backtests)],
    [ScoreConversionProbabilityResolver, new ScoreConversionProbabilityResolver()],
    [BacktestRunExportResolver, new BacktestRunExportResolver(backtestExport)],
    [LeadListResolver, new LeadListResolver(dataSource, leadLists, leads, scoreReader)],
    [IngestionResolver, new IngestionResolver(ingestion)],
    [LiveResolver, new LiveResolver(live.credentials)],
    [ScoreModelResolver, new ScoreModelResolver(workflow)],
    [LeadModelScoresResolver, new LeadModelScoresResolver(workflow.scoreModels, dataSource)],
    [AccountScoringResolver, new AccountScoringResolver(dataSource, workflow.scoreModels)],
  ]);
  const schema = await createSchema(resolvers);
  const createLoaders: LoaderFactory = () => ({
    ...scoreLoaders(dataSource, scoreReader),
    ...activityLoaders(activities),
    ...leadLoaders(leads),
    ...accountLoaders(accounts),
    ...calibrationLoaders(dataSource),
    ...ownerLoaders(owners),
    ...modelScoreLoaders(dataSource),
    ...accountScoringLoaders(dataSource, DEFAULT_ACCOUNT_MODEL),
  });
  await live.start(createLoaders);

  return {
    dataSource,
    services: {
      ruleSets,
      workflow,
      simulation,
      rescore,
      scoring,
      scoreReader,
      scorePass,
      leads,
      accounts,
      accountWrites,
      activities,
      auth,
      oidc,
      audit,
      webhooks,
      owners,
      routing,
      backtests,
      backtestExport,
      imports,
      leadLists,
      leadExport,
      ingestion,
      live,
      accountScoring,
    },
    jobs,
    schema,
    createLoaders,
    logger: config.logger,
    startWorkers: async (options = {}) => {
      await decaySchedule.startWorkers((asOf) => scorePass.runDecayPass(asOf), options.decayCron ?? '15 2 * * *');
      await rescoreQueue.startWorkers(rescore);
      await webhookQueue.startWorkers(webhooks);
      await backtestQueue.startWorkers(backtests);
      accountScoringWorker.start();
    },
    close: async () => {
      await live.close();
      await accountScoringWorker.stop();
      await backtestQueue.stop();
      await webhookQueue.stop();
      await jobs.stop();
      await dataSource.destroy();
    },
  };
}
