import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../server/src/db/data-source';
import { cloneTemplateDatabase } from './support/own-database';

/*
 * The entities mirror the schema (docs/data-access.md): for every table an entity maps, the
 * columns TypeORM knows are exactly the table's columns after every migration, with the same type
 * and nullability. A migration that adds a column to such a table fails here until the entity has it.
 */

interface SchemaColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  element_type: string | null;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

/** A column as `type null` / `type not null`, types spelled as information_schema spells them. */
const shape = (type: string, nullable: boolean) => `${type} ${nullable ? 'null' : 'not null'}`;

function entityColumn(dataSource: DataSource, column: ColumnMetadata): string {
  let type = dataSource.driver.normalizeType(column);
  if (column.length) type += `(${column.length})`;
  else if (column.precision !== undefined && column.precision !== null) {
    type += column.scale === undefined || column.scale === null ? `(${column.precision})` : `(${column.precision},${column.scale})`;
  }
  return shape(column.isArray ? `${type}[]` : type, column.isNullable);
}

function schemaColumn(column: SchemaColumn): string {
  let type = column.data_type === 'ARRAY' ? `${column.element_type}[]` : column.data_type;
  if (column.character_maximum_length !== null) type += `(${column.character_maximum_length})`;
  else if (column.data_type === 'numeric' && column.numeric_precision !== null) {
    type += `(${column.numeric_precision},${column.numeric_scale})`;
  }
  return shape(type, column.is_nullable === 'YES');
}

let dataSource: DataSource;
let dropDatabase = async () => {};

beforeAll(async () => {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const clone = await cloneTemplateDatabase(adminUrl);
    dataSource = createDataSource({ kind: 'postgres', url: clone.url });
    dropDatabase = clone.drop;
  } else {
    dataSource = createDataSource({ kind: 'embedded' });
  }
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
});

describe('entities mirror the migrated schema', () => {
  it('maps every column of each entity table, with its type and nullability', async () => {
    const tables = dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort();
    const rows: SchemaColumn[] = await dataSource.query(
      `SELECT c.table_name, c.column_name, c.is_nullable, c.data_type, e.data_type AS element_type,
              c.character_maximum_length, c.numeric_precision, c.numeric_scale
         FROM information_schema.columns c
         LEFT JOIN information_schema.element_types e
           ON (e.object_catalog, e.object_schema, e.object_name, e.object_type, e.collection_type_identifier)
            = (c.table_catalog, c.table_schema, c.table_name, 'TABLE', c.dtd_identifier)
        WHERE c.table_schema = 'public' AND c.table_name = ANY($1)
        ORDER BY c.table_name, c.column_name`,
      [tables],
    );
    const inSchema = Object.fromEntries(tables.map((table) => [table, {} as Record<string, string>]));
    for (const row of rows) inSchema[row.table_name][row.column_name] = schemaColumn(row);
    const inEntities = Object.fromEntries(
      dataSource.entityMetadatas.map((metadata) => [
        metadata.tableName,
        Object.fromEntries(
          metadata.columns
            .map((column) => [column.databaseName, entityColumn(dataSource, column)] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      ]),
    );
    expect(inEntities).toEqual(inSchema);
  });

  it('names every table it checks (an entity list that shrank would check less)', () => {
    expect(dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort()).toEqual([
      'account',
      'activity',
      'api_key',
      'app_user',
      'attribute_definition',
      'lead',
      'lead_list',
      'lead_score',
      'rule_set',
      'rule_set_version',
      'score_history',
      'user_session',
    ]);
  });
});
