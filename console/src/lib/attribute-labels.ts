/** Attribute names and values in words, from the attribute catalog's labels ("seniority c_level" → "Seniority C-level"). */
export interface AttributeInfo {
  name: string;
  label: string;
  type: string;
}

export type Catalog = ReadonlyMap<string, AttributeInfo>;

/** Words the plain rule (underscores to spaces, first letter up) gets wrong. */
const WORDS: Record<string, string> = {
  c: 'C',
  level: 'level',
  vp: 'VP',
  it: 'IT',
  hr: 'HR',
  ecommerce: 'e-commerce',
  crm: 'CRM',
  seo: 'SEO',
  ppc: 'PPC',
  saas: 'SaaS',
  api: 'API',
};

const VALUES: Record<string, string> = { c_level: 'C-level', series_a: 'Series A', series_b: 'Series B', series_c_plus: 'Series C+' };

const regions = new Intl.DisplayNames(['en'], { type: 'region' });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US');

/** A catalog code as words: "it_services" → "IT services", "c_level" → "C-level". */
export function valueWords(code: string): string {
  if (VALUES[code]) return VALUES[code];
  if (!/^[a-z0-9_]+$/.test(code)) return code;
  const text = code
    .split('_')
    .map((word) => WORDS[word] ?? word)
    .join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The label without its unit ("Annual revenue (USD)" → "Annual revenue", unit "USD"). */
function splitUnit(label: string): { label: string; unit?: string } {
  const match = /^(.*?)\s*\(([^)]+)\)$/.exec(label);
  return match ? { label: match[1], unit: match[2] } : { label };
}

export function attributeLabel(catalog: Catalog, name: string): string {
  const info = catalog.get(name);
  return info ? splitUnit(info.label).label : valueWords(name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
}

/** A value as people read it: "$15.6 M", "457 employees", "United States", "Yes", "Salesforce, HubSpot". */
export function attributeValue(catalog: Catalog, name: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map((item) => attributeValue(catalog, name, item)).join(', ');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const unit = splitUnit(catalog.get(name)?.label ?? '').unit;
  if (typeof value === 'number') {
    if (unit === 'USD') return `$${compact.format(value).replace(/([KMBT])$/, ' $1')}`;
    return unit ? `${whole.format(value)} ${unit}` : whole.format(value);
  }
  const text = String(value);
  if (name === 'country' && /^[A-Z]{2}$/.test(text)) return regions.of(text) ?? text;
  if (catalog.get(name)?.type === 'date' && /^\d{4}-\d{2}-\d{2}/.test(text))
    return new Date(text).toLocaleDateString('en-GB', { dateStyle: 'medium' });
  return valueWords(text);
}

/** "Annual revenue $15.6 M": one attribute as a phrase. */
export function attributePhrase(catalog: Catalog, name: string, value: unknown): string {
  return `${attributeLabel(catalog, name)} ${attributeValue(catalog, name, value)}`;
}

/** Who a lead is: "Mia Lopez" (or the e-mail or external id when the name is unknown) and the company. */
export function leadIdentity(lead: { email?: string | null; externalId: string; attributes: Record<string, unknown> }): {
  name: string;
  company: string | null;
} {
  const { firstName, lastName, company } = lead.attributes;
  const name = [firstName, lastName].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  return { name: name || lead.email || lead.externalId, company: typeof company === 'string' && company.trim() ? company : null };
}

export function catalogOf(definitions: readonly AttributeInfo[] | undefined): Catalog {
  return new Map((definitions ?? []).map((definition) => [definition.name, definition]));
}
