/**
 * Deterministic demo data: realistic-looking B2B SaaS leads and their activity streams.
 *
 * Pure: no I/O, no DB, no `Date.now()` or `Math.random()`. The same options always give the
 * same output, so seeds, tests and benchmarks are reproducible.
 *
 * Attribute names follow the lead attribute catalog (rules/attributes.json) but the catalog is
 * not read here.
 */
import { mulberry32 } from '../common/random';
import { makeActivities } from './demo-activities';
import { decide } from './demo-outcomes';
import { normalCdf, Random } from './demo-random';
import {
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  COUNTRIES,
  COUNTRY_TLD,
  DEPARTMENTS,
  type Department,
  FIRST_NAMES,
  FREE_EMAIL_DOMAIN_WEIGHTS,
  INDUSTRIES,
  LAST_NAMES,
  LEAD_SOURCES,
  OTHER_TITLES,
  REVENUE_PER_EMPLOYEE,
  SENIORITIES,
  type Seniority,
  STUDENT_TITLES,
  TECHNOLOGIES,
  TIMELINES,
  TITLES,
} from './demo-tables';
import {
  DAY_MS,
  type DemoAccount,
  type DemoActivity,
  type DemoData,
  type DemoDataOptions,
  type DemoLead,
  type LeadPlan,
} from './demo-types';

export type { DemoAccount, DemoActivity, DemoData, DemoDataOptions, DemoLead, DemoOutcome } from './demo-types';

/** Industries of the account catalog (rules/account-attributes.json); the demo's others are "other" there. */
const ACCOUNT_INDUSTRIES = new Set([
  'software',
  'it_services',
  'financial_services',
  'insurance',
  'healthcare',
  'life_sciences',
  'manufacturing',
  'retail',
  'ecommerce',
  'logistics',
  'telecommunications',
  'media',
  'professional_services',
  'consulting',
  'marketing_agency',
  'education',
  'government',
  'nonprofit',
]);

function accountOf(company: Company): DemoAccount {
  return {
    domain: company.domain,
    name: company.name,
    attributes: {
      industry: ACCOUNT_INDUSTRIES.has(company.industry) ? company.industry : 'other',
      employees: company.size,
      country: company.country,
      annualRevenue: company.revenue,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Companies

interface Company {
  name: string;
  domain: string;
  industry: string;
  size: number;
  revenue: number;
  country: string;
  technologies: string[];
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

function makeCompanies(rnd: Random, count: number): Company[] {
  const companies: Company[] = [];
  const usedDomains = new Set<string>();
  for (let i = 0; i < count; i++) {
    const country = rnd.weighted(COUNTRIES);
    let name = '';
    let domain = '';
    for (let attempt = 0; ; attempt++) {
      name = `${rnd.pick(COMPANY_PREFIXES)} ${rnd.pick(COMPANY_SUFFIXES)}`;
      if (attempt > 5) name += ` ${attempt}`;
      const tld = rnd.pick(COUNTRY_TLD[country] ?? ['com', 'com', 'io', 'co']);
      domain = `${slug(name)}.${tld}`;
      if (!usedDomains.has(domain)) break;
    }
    usedDomains.add(domain);
    const industry = rnd.weighted(INDUSTRIES);
    // Log-normal headcount: median ~90, ~10% at 1,000+, long tail to 50k.
    const size = Math.max(1, Math.min(50_000, Math.round(Math.exp(4.5 + 1.9 * rnd.normal()))));
    const perEmployee = REVENUE_PER_EMPLOYEE[industry] * Math.exp(0.45 * rnd.normal());
    const revenue = Math.max(10_000, Math.round((size * perEmployee) / 10_000) * 10_000);
    // Bigger companies run more tools.
    const techCount = Math.min(8, rnd.poisson(1.5 + Math.log10(size + 1)));
    const technologies: string[] = [];
    while (technologies.length < techCount) {
      const t = rnd.weighted(TECHNOLOGIES);
      if (!technologies.includes(t)) technologies.push(t);
    }
    technologies.sort();
    companies.push({ name, domain, industry, size, revenue, country, technologies });
  }
  return companies;
}

// ---------------------------------------------------------------------------------------------
// Leads

function titleFor(rnd: Random, seniority: Seniority, department: Department): string {
  if (seniority === 'student') return rnd.pick(STUDENT_TITLES);
  if (seniority === 'other') return rnd.pick(OTHER_TITLES);
  return rnd.pick(TITLES[department][seniority]);
}

function makeLead(rnd: Random, index: number, companies: Company[], usedEmails: Set<string>, now: Date, days: number): LeadPlan {
  const externalId = `crm-${String(index + 1).padStart(6, '0')}`;
  const createdAt = new Date(Math.floor((now.getTime() - rnd.float() * days * DAY_MS) / 1000) * 1000);

  // Latent intent: a standard normal mapped to (0, 1); activity volume is log-normal in it.
  const z = rnd.normal();
  const intent = normalCdf(z);
  const volume = Math.exp(2.15 + 1.15 * z);

  let seniority: Seniority = rnd.weighted(SENIORITIES);
  const company = rnd.pick(companies);
  // Tiny companies are mostly run by founders; students rarely sit at real companies.
  if (company.size <= 10 && seniority !== 'student' && rnd.chance(0.35)) seniority = 'c_level';
  const department: Department = seniority === 'student' ? 'marketing' : rnd.weighted(DEPARTMENTS);
  const jobTitle = titleFor(rnd, seniority, department);

  const firstName = rnd.pick(FIRST_NAMES);
  const lastName = rnd.pick(LAST_NAMES);
  const freeEmail = rnd.chance(seniority === 'student' || seniority === 'other' ? 0.75 : 0.13);
  const domain = freeEmail ? rnd.weighted(FREE_EMAIL_DOMAIN_WEIGHTS) : company.domain;
  const f = slug(firstName);
  const l = slug(lastName);
  const localPart = freeEmail
    ? rnd.pick([`${f}.${l}`, `${f}${l}`, `${f}.${l}${rnd.int(1, 99)}`, `${f[0]}${l}${rnd.int(70, 99)}`])
    : rnd.weighted([
        [`${f}.${l}`, 6],
        [`${f}`, 2],
        [`${f[0]}${l}`, 3],
        [`${f}${l[0]}`, 1],
      ] as const);
  let email = `${localPart}@${domain}`;
  for (let n = 2; usedEmails.has(email); n++) email = `${localPart}${n}@${domain}`;
  usedEmails.add(email);

  const leadSource = rnd.weighted(LEAD_SOURCES);
  const isStudent = seniority === 'student';

  const senior = seniority === 'c_level' || seniority === 'vp' || seniority === 'director';
  const budgetKnown = rnd.chance(0.3 + 0.3 * intent);
  const budgetConfirmed = budgetKnown ? rnd.chance(0.1 + 0.5 * intent + (senior ? 0.15 : 0)) : null;
  const timeline = rnd.chance(0.35)
    ? null
    : intent > 0.85 && rnd.chance(0.6)
      ? rnd.pick(['now', 'this_quarter'] as const)
      : rnd.weighted(TIMELINES.map((t, i) => [t, [1, 2, 3, 3, 4][i] * (i < 2 ? 0.5 + intent : 1)] as const));

  const attributes: DemoLead['attributes'] = {
    firstName,
    lastName,
    company: isStudent || freeEmail ? rnd.maybe(0.6, company.name) : company.name,
    industry: isStudent ? 'education' : rnd.maybe(0.08, company.industry),
    companySize: isStudent ? null : rnd.maybe(0.12, company.size),
    annualRevenue: isStudent ? null : rnd.maybe(0.3, company.revenue),
    jobTitle: rnd.maybe(0.05, jobTitle),
    seniority: rnd.maybe(0.1, seniority),
    department: isStudent ? null : rnd.maybe(0.15, department),
    country: rnd.maybe(0.05, company.country),
    technologies: isStudent || company.technologies.length === 0 ? null : rnd.maybe(0.3, [...company.technologies]),
    leadSource: rnd.maybe(0.05, leadSource),
    budgetConfirmed,
    timeline,
  };

  const size = attributes.companySize;
  const segment = typeof size === 'number' && size >= 1000 ? 'enterprise' : null;

  return {
    lead: { externalId, email, segment, source: leadSource, attributes, createdAt, outcome: 'open', outcomeAt: null, dealValue: null },
    intent,
    z,
    volume,
    companySize: company.size,
  };
}

// ---------------------------------------------------------------------------------------------

/** Generates `options.leads` leads and their activities; identical options give identical output. */
export function generateDemoData(options: DemoDataOptions): DemoData {
  const { leads: leadCount, seed, now } = options;
  const days = options.days ?? 365;
  if (!Number.isInteger(leadCount) || leadCount < 0) throw new RangeError('leads must be a non-negative integer');
  if (!(days > 0)) throw new RangeError('days must be positive');
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('now must be a valid date');

  const rnd = new Random(mulberry32(seed));
  // Outcomes draw from their own stream: the leads and activities of a seed do not depend on them.
  const fate = new Random(mulberry32(seed ^ 0x5eed0c7e));
  // Several leads per account, as in a real CRM.
  const companies = makeCompanies(rnd, Math.max(1, Math.ceil(leadCount / 2.5)));
  const usedEmails = new Set<string>();

  const leads: DemoLead[] = [];
  const activities: DemoActivity[] = [];
  for (let i = 0; i < leadCount; i++) {
    const plan = makeLead(rnd, i, companies, usedEmails, now, days);
    leads.push(plan.lead);
    const own = makeActivities(rnd, plan, nowMs, days);
    decide(fate, plan, own, nowMs);
    for (const a of own) activities.push(a);
  }

  // Accounts: the companies leads write from with their company address (free e-mail never matches).
  const byDomain = new Map(companies.map((company) => [company.domain, company]));
  const accounts = new Map<string, DemoAccount>();
  for (const lead of leads) {
    const domain = lead.email.slice(lead.email.indexOf('@') + 1);
    const company = byDomain.get(domain);
    if (company && !accounts.has(domain)) accounts.set(domain, accountOf(company));
  }

  activities.sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0),
  );
  return { leads, activities, accounts: [...accounts.values()] };
}
