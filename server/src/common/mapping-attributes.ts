/*
 * The attribute definitions an import mapping declares (`attributes.*.define`). Both the import and
 * the shipped catalog (rule set files in rules/ may read attributes a rules/*.mapping.json defines)
 * read them, so they live below both.
 */

export type ImportAttributeType = 'string' | 'number' | 'boolean' | 'string[]';

/** One mapped column's attribute, as far as the catalog is concerned. */
export interface MappedAttribute {
  attribute: string;
  type: ImportAttributeType;
  define?: { label: string; description: string; values?: string[] };
}

/** An attribute definition as the catalog stores it. */
export interface MappingAttributeDefinition {
  name: string;
  type: ImportAttributeType;
  label: string;
  description: string;
  allowedValues: string[] | null;
}

/** The definitions the mapped attributes declare, by attribute name (those without `define` are left out). */
export function attributeDefinitionsOf(attributes: Record<string, MappedAttribute>): Map<string, MappingAttributeDefinition> {
  const catalog = new Map<string, MappingAttributeDefinition>();
  for (const spec of Object.values(attributes)) {
    if (!spec.define) continue;
    catalog.set(spec.attribute, {
      name: spec.attribute,
      type: spec.type,
      label: spec.define.label,
      description: spec.define.description,
      allowedValues: spec.define.values ?? null,
    });
  }
  return catalog;
}

/**
 * The definitions of a mapping file's text. The file is not validated here (the import does that
 * with its schema); a file that is not JSON with an `attributes` object is refused naming it.
 */
export function readMappingAttributeDefinitions(text: string, source: string): Map<string, MappingAttributeDefinition> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON (${(error as Error).message})`);
  }
  const attributes = (doc as { attributes?: unknown } | null)?.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
    throw new Error(`${source} is not an import mapping: it has no "attributes" object`);
  return attributeDefinitionsOf(attributes as Record<string, MappedAttribute>);
}
