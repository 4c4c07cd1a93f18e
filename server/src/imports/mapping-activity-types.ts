import type { EntityManager } from 'typeorm';
import type { Problem } from '../common/errors';
import type { ImportMapping } from './mapping-types';

/** What an import records on each activity (mapping-compile.ts): a type must accept these properties. */
const IMPORTED_PROPERTIES = ['importedFrom', 'value'];

interface CatalogType {
  name: string;
  retired: boolean;
  open: boolean;
  properties: Array<{ name: string; required?: boolean }>;
}

/**
 * The mapping's activity types checked against the activity catalog (activity_type_definition), in
 * the import's transaction: each must exist, not be retired, and accept the properties an import
 * records. Read here rather than through the activities domain, as the attribute catalog is.
 */
export async function activityTypeProblems(manager: EntityManager, mapping: ImportMapping): Promise<Problem[]> {
  const uses = (mapping.activities ?? []).flatMap((activity, index) => [
    ...Object.entries(activity.types).map(([value, type]) => ({ path: `activities[${index}].types.${value}`, type })),
    { path: `activities[${index}].otherType`, type: activity.otherType ?? null },
  ]);
  const named = uses.filter((use): use is { path: string; type: string } => use.type !== null);
  if (named.length === 0) return [];
  const rows: CatalogType[] = await manager.query(
    `SELECT name, retired_at IS NOT NULL AS retired, open_properties AS open, properties
       FROM activity_type_definition WHERE name = ANY($1::text[])`,
    [[...new Set(named.map((use) => use.type))]],
  );
  const catalog = new Map(rows.map((row) => [row.name, row]));
  const problems: Problem[] = [];
  for (const { path, type } of named) {
    const definition = catalog.get(type);
    if (!definition) problems.push({ path, message: `"${type}" is not in the activity catalog: define it first (defineActivityType)` });
    else if (definition.retired) problems.push({ path, message: `"${type}" is retired: new activities of it are refused` });
    else if (!definition.open && !IMPORTED_PROPERTIES.every((name) => definition.properties.some((property) => property.name === name)))
      problems.push({
        path,
        message: `"${type}" accepts only its declared properties, and an import records ${IMPORTED_PROPERTIES.join(' and ')}`,
      });
    else {
      const required = definition.properties.filter((property) => property.required && !IMPORTED_PROPERTIES.includes(property.name));
      if (required.length)
        problems.push({
          path,
          message: `"${type}" requires ${required.map((property) => property.name).join(', ')}, which an import does not set`,
        });
    }
  }
  return problems;
}
