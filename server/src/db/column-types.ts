import type { ColumnType, DataSource } from 'typeorm';

/**
 * PostgreSQL's transaction id type (lead_score.lead_xmin holds the xmin of the lead row it scored).
 * TypeORM's ColumnType union does not name it, hence the one cast.
 */
export const XID = 'xid' as string as ColumnType;

/**
 * Lets entities declare the column types of our schema that TypeORM's PostgreSQL driver does not
 * list (its metadata validation refuses any other type), so each entity can mirror its table.
 */
export function withSchemaColumnTypes(dataSource: DataSource): DataSource {
  const supported = dataSource.driver.supportedDataTypes;
  for (const type of [XID]) if (!supported.includes(type)) supported.push(type);
  return dataSource;
}
