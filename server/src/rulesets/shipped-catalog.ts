import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../common/paths';
import { readMappingAttributeDefinitions } from '../common/mapping-attributes';

export interface ShippedAttribute {
  name: string;
  type: string;
  values?: string[] | null;
}

/**
 * The attributes rule set files in rules/ may read: rules/attributes.json (the service's catalog on
 * first start) plus those each rules/*.mapping.json defines when it imports a file.
 */
export function shippedAttributeCatalog(dir = RULES_DIR): Map<string, ShippedAttribute> {
  const parsed = JSON.parse(readFileSync(path.join(dir, 'attributes.json'), 'utf8')) as { attributes: ShippedAttribute[] };
  const catalog = new Map(parsed.attributes.map((attribute) => [attribute.name, attribute]));
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.mapping.json'))) {
    for (const [name, entry] of readMappingAttributeDefinitions(readFileSync(path.join(dir, file), 'utf8'), file)) {
      if (!catalog.has(name)) catalog.set(name, { name, type: entry.type, values: entry.allowedValues });
    }
  }
  return catalog;
}
