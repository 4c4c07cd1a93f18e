import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from './common/clock';
import { ActivityResolver, RecordActivityPayloadResolver } from './activities/activity.resolver';
import { ActivityService } from './activities/activity.service';
import { activityLoaders } from './activities/activity-loaders';
import { LeadActivitiesResolver } from './activities/lead-activities.resolver';
import { AuditResolver } from './audit/audit.resolver';
import { AuditService } from './audit/audit.service';
import { AuthResolver } from './auth/auth.resolver';
import { AuthService } from './auth/auth.service';
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
import { createBoss, JobQueue } from './jobs/job-queue';
import { LeadConnectionResolver, LeadResolver } from './leads/lead.resolver';
import { LeadService } from './leads/lead.service';
import { leadLoaders } from './leads/lead-loaders';
import { LeadOutcomeResolver } from './leads/lead-outcome.resolver';
import { LeadOutcomeService } from './leads/lead-outcome.service';
import { LeadErasureResolver } from './leads/lead-erasure.resolver';
import { LeadErasureService } from './leads/lead-erasure.service';
import { PublishResultRescoreResolver, RescoreResolver, SetSegmentsResultRescoreResolver } from './scoring/rescore/rescore.resolver';
import { RescoreQueue } from './scoring/rescore/rescore-queue';
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
import { WebhookQueue } from './webhooks/webhook-queue';
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
  activities: ActivityService;
  auth: AuthService;
  audit: AuditService;
  webhooks: WebhookService;
  backtests: BacktestService;
  backtestExport: BacktestExportService;
  imports: ImportService;
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
}

/** The composition root: database, job queue, services, resolvers. Migrates and installs first-start config. */
export async function createApp(config: AppConfig): Promise<App> {
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
  const activities = new ActivityService(dataSource, scoring, { recordConcurrency: config.recordActivityConcurrency });
  const audit = new AuditService(dataSource);
  const auth = new AuthService(dataSource, audit, { clock: config.clock });
  const outcomes = new LeadOutcomeService(dataSource, audit);
  const erasure = new LeadErasureService(dataSource, audit);
  const rescore = new RescoreService(dataSource, scoring, ruleSets);
  rescore.setDispatcher(rescoreQueue);
  const publishing = new RuleSetPublishingService(dataSource, ruleSets, rescore, audit, { publishRoles: config.publishRoles ?? ['admin'] });
  const workflow = new RuleSetWorkflowService(dataSource, ruleSets, publishing, audit, () => leads.attributeCatalog());
  const simulation = new RuleSetSimulationService(dataSource, ruleSets, workflow, leads);
  const webhooks = new WebhookService(
    dataSource,
    audit,
    config.logger,
    config.webhooks ?? { policy: webhookTargetPolicyFromEnv(process.env) },
  );
  webhooks.setQueue(webhookQueue);
  scoring.addChangeListener(webhooks);
  const backtestQueue = new BacktestQueue(createBoss(config.database), config.logger);
  await backtestQueue.start();
  const backtests = new BacktestService(dataSource, workflow, () => leads.attributeCatalog(), config.logger);
  backtests.setDispatcher(backtestQueue);
  const applySuggestions = new ApplySuggestionsService(dataSource, backtests, workflow);
  const backtestExport = new BacktestExportService(dataSource, backtests, workflow, { secret: process.env.BACKTEST_EXPORT_SECRET });

  await dataSource.transaction(async (manager) => {
    await leads.ensureAttributeCatalog(manager);
    await ruleSets.ensureDefaultRuleSet(manager);
  });

  const resolvers: ResolverInstances = new Map<ResolverClass, object>([
    [LeadResolver, new LeadResolver(dataSource, leads, scoreReader)],
    [LeadActivitiesResolver, new LeadActivitiesResolver(activities)],
    [LeadConnectionResolver, new LeadConnectionResolver(leads)],
    [LeadOutcomeResolver, new LeadOutcomeResolver(outcomes, leads)],
    [ActivityResolver, new ActivityResolver(activities, leads)],
    [RecordActivityPayloadResolver, new RecordActivityPayloadResolver()],
    [RuleSetResolver, new RuleSetResolver(dataSource, ruleSets, workflow, simulation)],
    [RescoreResolver, new RescoreResolver(rescore)],
    [PublishResultRescoreResolver, new PublishResultRescoreResolver(rescore)],
    [SetSegmentsResultRescoreResolver, new SetSegmentsResultRescoreResolver(rescore)],
    [ScoringResolver, new ScoringResolver(scorePass)],
    [DecayPreviewChangeResolver, new DecayPreviewChangeResolver()],
    [LeadErasureResolver, new LeadErasureResolver(erasure)],
    [AuthResolver, new AuthResolver(auth)],
    [AuditResolver, new AuditResolver(audit)],
    [WebhookResolver, new WebhookResolver(webhooks)],
    [BacktestResolver, new BacktestResolver(backtests)],
    [ApplySuggestionsResolver, new ApplySuggestionsResolver(applySuggestions)],
    [BacktestCohortResolver, new BacktestCohortResolver(backtests)],
    [BacktestRunCohortResolver, new BacktestRunCohortResolver(backtests)],
    [ScoreConversionProbabilityResolver, new ScoreConversionProbabilityResolver()],
    [BacktestRunExportResolver, new BacktestRunExportResolver(backtestExport)],
  ]);
  const schema = await createSchema(resolvers);
  const createLoaders: LoaderFactory = () => ({
    ...scoreLoaders(dataSource, scoreReader),
    ...activityLoaders(activities),
    ...leadLoaders(leads),
    ...calibrationLoaders(dataSource),
  });

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
      activities,
      auth,
      audit,
      webhooks,
      backtests,
      backtestExport,
      imports,
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
    },
    close: async () => {
      await backtestQueue.stop();
      await webhookQueue.stop();
      await jobs.stop();
      await dataSource.destroy();
    },
  };
}
