import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { types } from '@electric-sql/pglite';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { migrations } from '../../../migrations';
import { AccountEntity } from '../accounts/account.entity';
import { ActivityEntity } from '../activities/activity.entity';
import { authEntities } from '../auth/auth.entities';
import { AttributeDefinitionEntity } from '../leads/attribute-definition.entity';
import { LeadEntity } from '../leads/lead.entity';
import { LeadListEntity } from '../lists/lead-list.entity';
import { RuleSetVersionEntity } from '../rulesets/ruleset-version.entity';
import { RuleSetEntity } from '../rulesets/ruleset.entity';
import { LeadScoreEntity } from '../scoring/lead-score.entity';
import { ScoreHistoryEntity } from '../scoring/score-history.entity';
import { withSchemaColumnTypes } from './column-types';
import type { DatabaseConfig } from './database-config';
import { SerializedPGlitePool } from './embedded-pool';
import { DEFAULT_QUERY_LIMITS } from './query-scope';
import { scopedPg } from './scoped-pool';

export const entities = [
  RuleSetEntity,
  RuleSetVersionEntity,
  AttributeDefinitionEntity,
  LeadEntity,
  AccountEntity,
  ActivityEntity,
  LeadScoreEntity,
  ScoreHistoryEntity,
  LeadListEntity,
  ...authEntities,
];

const identity = (value: string) => value;

export function createDataSource(config: DatabaseConfig): DataSource {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (config.kind === 'postgres') {
    return withSchemaColumnTypes(
      new DataSource({
        ...common,
        url: config.url,
        poolSize: 10,
        driver: scopedPg(config.limits ?? DEFAULT_QUERY_LIMITS),
      } as DataSourceOptions),
    );
  }
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  // Sets typeorm-pglite's instance options; int8 and numeric stay strings, as node-postgres returns them.
  new PGliteDriver({
    dataDir: config.dataDir,
    parsers: { [types.INT8]: identity, [types.NUMERIC]: identity },
  });
  return withSchemaColumnTypes(new DataSource({ ...common, driver: { Pool: SerializedPGlitePool } } as DataSourceOptions));
}
