import { InitialSchema1764050000000 } from './1764050000000-initial-schema';
import { Auth1764050000001 } from './1764050000001-auth';
import { RuleSetWorkflow1764050000002 } from './1764050000002-ruleset-workflow';
import { Backtests1764050000003 } from './1764050000003-backtests';
import { Webhooks1764050000004 } from './1764050000004-webhooks';
import { RescoreThroughput1764050000005 } from './1764050000005-rescore-throughput';
import { ScoreForeignKeys1764050000006 } from './1764050000006-score-foreign-keys';
import { ScoreLeadVersion1764050000007 } from './1764050000007-score-lead-version';
import { WebhookHardening1764050000008 } from './1764050000008-webhook-hardening';
import { UserAdministration1764050000009 } from './1764050000009-user-administration';
import { CohortRefresh1764050000010 } from './1764050000010-cohort-refresh';
import { VersionEvidence1764050000011 } from './1764050000011-version-evidence';
import { ScoreCalibration1764050000012 } from './1764050000012-score-calibration';
import { RescoreMovedSegments1764050000013 } from './1764050000013-rescore-moved-segments';
import { ActivityCatalog1764050000014 } from './1764050000014-activity-catalog';
import { Owners1764050000016 } from './1764050000016-owners';
import { LeadLists1764050000017 } from './1764050000017-lead-lists';
import { OidcSignIn1764050000018 } from './1764050000018-oidc-sign-in';
import { Ingestion1764050000019 } from './1764050000019-ingestion';
import { LiveUpdates1764050000020 } from './1764050000020-live-updates';
import { Accounts1764050000021 } from './1764050000021-accounts';
import { ScoreModels1764050000022 } from './1764050000022-score-models';
import { ModelScoreErasure1764050000023 } from './1764050000023-model-score-erasure';
import { AccountRescorePending1764050000024 } from './1764050000024-account-rescore-pending';
import { AccountBacktests1764050000025 } from './1764050000025-account-backtests';
import { ScoreCarry1764050000026 } from './1764050000026-score-carry';
import { ModelScoreCarry1764050000027 } from './1764050000027-model-score-carry';

/** Every migration, oldest first. Never edit one that has been merged; add a new one. */
export const migrations = [
  InitialSchema1764050000000,
  Auth1764050000001,
  RuleSetWorkflow1764050000002,
  Backtests1764050000003,
  Webhooks1764050000004,
  RescoreThroughput1764050000005,
  ScoreForeignKeys1764050000006,
  ScoreLeadVersion1764050000007,
  WebhookHardening1764050000008,
  UserAdministration1764050000009,
  CohortRefresh1764050000010,
  VersionEvidence1764050000011,
  ScoreCalibration1764050000012,
  RescoreMovedSegments1764050000013,
  ActivityCatalog1764050000014,
  Owners1764050000016,
  LeadLists1764050000017,
  OidcSignIn1764050000018,
  Ingestion1764050000019,
  LiveUpdates1764050000020,
  Accounts1764050000021,
  ScoreModels1764050000022,
  ModelScoreErasure1764050000023,
  AccountRescorePending1764050000024,
  AccountBacktests1764050000025,
  ScoreCarry1764050000026,
  ModelScoreCarry1764050000027,
];
