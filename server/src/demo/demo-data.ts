/**
 * Deterministic demo data: realistic-looking B2B SaaS leads and their activity streams.
 *
 * Pure: no I/O, no DB, no `Date.now()` or `Math.random()`. The same options always give the
 * same output, so seeds, tests and benchmarks are reproducible.
 *
 * Attribute names follow the lead attribute catalog (rules/attributes.json) but the catalog is
 * not read here.
 */
import type { ActivityType } from '../engine/ruleset-definition';
import { mulberry32 } from '../common/random';

export type DemoOutcome = 'open' | 'converted' | 'lost';

export interface DemoLead {
  externalId: string;
  email: string;
  segment: string | null;
  source: string;
  attributes: Record<string, string | number | boolean | string[] | null>;
  createdAt: Date;
  /** How the lead ended: decided (converted or lost, at `outcomeAt`) once its time came, else open. */
  outcome: DemoOutcome;
  outcomeAt: Date | null;
  /** Deal value of a conversion (USD, whole hundreds); null otherwise. */
  dealValue: number | null;
}

export interface DemoActivity {
  leadExternalId: string;
  type: ActivityType;
  occurredAt: Date;
  idempotencyKey: string;
  properties: Record<string, string | number | boolean>;
}

export interface DemoData {
  leads: DemoLead[];
  activities: DemoActivity[];
}

export interface DemoDataOptions {
  leads: number;
  seed: number;
  now: Date;
  /** Leads are created uniformly over the last `days` days (default 365). */
  days?: number;
}

// ---------------------------------------------------------------------------------------------
// Random helpers

type Rng = () => number;

class Random {
  constructor(private readonly next: Rng) {}

  float(): number {
    return this.next();
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  }
  /** Standard normal via Box-Muller. */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Knuth's Poisson sampler; fine for the small means used here. */
  poisson(mean: number): number {
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }
  /** k distinct items, in list order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const idx = items.map((_, i) => i);
    for (let i = 0; i < k && i < idx.length; i++) {
      const j = i + Math.floor(this.next() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx
      .slice(0, k)
      .sort((a, b) => a - b)
      .map((i) => items[i]);
  }
  /** `value` with probability 1 - pNull, else null. */
  maybe<T>(pNull: number, value: T): T | null {
    return this.next() < pNull ? null : value;
  }
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 approximation; plenty for a latent score). */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

// ---------------------------------------------------------------------------------------------
// Reference data

const DAY_MS = 86_400_000;

const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Daniel',
  'Karen',
  'Matthew',
  'Lisa',
  'Anthony',
  'Nancy',
  'Mark',
  'Sandra',
  'Steven',
  'Ashley',
  'Andrew',
  'Emily',
  'Priya',
  'Arjun',
  'Ananya',
  'Rahul',
  'Sofia',
  'Lucas',
  'Emma',
  'Noah',
  'Olivia',
  'Liam',
  'Hannah',
  'Felix',
  'Lena',
  'Jonas',
  'Camille',
  'Hugo',
  'Chloe',
  'Louis',
  'Isabela',
  'Mateus',
  'Aiko',
  'Kenji',
  'Wei',
  'Mei',
  'Fatima',
  'Omar',
  'Zara',
  'Ethan',
  'Grace',
  'Ryan',
];

const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Patel',
  'Sharma',
  'Gupta',
  'Singh',
  'Muller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Dubois',
  'Bernard',
  'Moreau',
  'Laurent',
  'Silva',
  'Santos',
  'Oliveira',
  'Costa',
  'de Vries',
  'Jansen',
  'Bakker',
  'Tanaka',
  'Suzuki',
  'Chen',
  'Wang',
  'Nguyen',
  'Kim',
  'Okafor',
  'Hughes',
  'Campbell',
  "O'Brien",
];

const COMPANY_PREFIXES = [
  'Acme',
  'Northwind',
  'Bluefin',
  'Brightline',
  'Cobalt',
  'Crestview',
  'Datastream',
  'Evergreen',
  'Falcon',
  'Granite',
  'Harbor',
  'Ironclad',
  'Juniper',
  'Keystone',
  'Lumen',
  'Meridian',
  'Nimbus',
  'Orbit',
  'Pinnacle',
  'Quantum',
  'Redwood',
  'Summit',
  'Tidal',
  'Umbra',
  'Vertex',
  'Willow',
  'Zenith',
  'Atlas',
  'Beacon',
  'Catalyst',
  'Helix',
  'Kinetic',
  'Lighthouse',
  'Mosaic',
  'Nova',
  'Polaris',
  'Sierra',
  'Sterling',
  'Vantage',
];

const COMPANY_SUFFIXES = [
  'Labs',
  'Systems',
  'Analytics',
  'Cloud',
  'Group',
  'Software',
  'Health',
  'Logistics',
  'Partners',
  'Technologies',
  'Digital',
  'Networks',
  'Retail',
  'Capital',
  'Media',
  'Works',
  'AI',
  'Solutions',
];

const FREE_EMAIL_DOMAINS = [
  ['gmail.com', 60],
  ['yahoo.com', 10],
  ['outlook.com', 10],
  ['hotmail.com', 8],
  ['icloud.com', 7],
  ['proton.me', 5],
] as const;

const INDUSTRIES = [
  ['software', 22],
  ['financial_services', 10],
  ['healthcare', 9],
  ['manufacturing', 9],
  ['retail', 8],
  ['professional_services', 9],
  ['education', 5],
  ['media', 5],
  ['telecommunications', 4],
  ['logistics', 5],
  ['real_estate', 3],
  ['government', 3],
  ['nonprofit', 3],
  ['energy', 3],
  ['hospitality', 2],
] as const;

/** Rough annual revenue per employee (USD) by industry. */
const REVENUE_PER_EMPLOYEE: Record<string, number> = {
  software: 220_000,
  financial_services: 400_000,
  healthcare: 150_000,
  manufacturing: 250_000,
  retail: 180_000,
  professional_services: 160_000,
  education: 90_000,
  media: 200_000,
  telecommunications: 450_000,
  logistics: 210_000,
  real_estate: 300_000,
  government: 120_000,
  nonprofit: 80_000,
  energy: 600_000,
  hospitality: 70_000,
};

const COUNTRIES = [
  ['US', 38],
  ['GB', 10],
  ['DE', 7],
  ['FR', 5],
  ['CA', 6],
  ['AU', 4],
  ['IN', 7],
  ['NL', 3],
  ['BR', 4],
  ['ES', 2],
  ['SE', 2],
  ['SG', 2],
  ['JP', 2],
  ['IE', 2],
  ['MX', 2],
  ['IT', 2],
  ['ZA', 1],
  ['PL', 1],
] as const;

const COUNTRY_TLD: Record<string, string[]> = {
  GB: ['co.uk', 'com'],
  DE: ['de', 'com'],
  FR: ['fr', 'com'],
  CA: ['ca', 'com'],
  AU: ['com.au', 'com'],
  IN: ['in', 'com'],
  NL: ['nl', 'com'],
  BR: ['com.br', 'com'],
  ES: ['es', 'com'],
  SE: ['se', 'com'],
  JP: ['jp', 'com'],
  IE: ['ie', 'com'],
  IT: ['it', 'com'],
};

const TECHNOLOGIES = [
  ['salesforce', 30],
  ['hubspot', 28],
  ['marketo', 12],
  ['pardot', 8],
  ['segment', 10],
  ['snowflake', 12],
  ['google_analytics', 40],
  ['slack', 35],
  ['zendesk', 12],
  ['intercom', 9],
  ['outreach', 6],
  ['salesloft', 5],
  ['gong', 5],
  ['zoominfo', 7],
  ['6sense', 3],
  ['dynamics_365', 6],
  ['shopify', 6],
  ['stripe', 10],
  ['mailchimp', 12],
  ['aws', 30],
] as const;

const LEAD_SOURCES = [
  ['organic_search', 22],
  ['paid_search', 14],
  ['website', 12],
  ['content_syndication', 8],
  ['webinar', 9],
  ['event', 6],
  ['linkedin', 9],
  ['referral', 6],
  ['partner', 5],
  ['list_import', 6],
  ['direct', 3],
] as const;

const SENIORITIES = [
  ['c_level', 6],
  ['vp', 8],
  ['director', 15],
  ['manager', 25],
  ['individual_contributor', 33],
  ['student', 5],
  ['other', 8],
] as const;
type Seniority = (typeof SENIORITIES)[number][0];

const DEPARTMENTS = [
  ['marketing', 34],
  ['sales', 22],
  ['revenue_operations', 10],
  ['it', 9],
  ['engineering', 8],
  ['finance', 5],
  ['operations', 6],
  ['customer_success', 6],
] as const;
type Department = (typeof DEPARTMENTS)[number][0];

/** Job titles by department and seniority (student/other are handled separately). */
const TITLES: Record<Department, Record<'c_level' | 'vp' | 'director' | 'manager' | 'individual_contributor', string[]>> = {
  marketing: {
    c_level: ['CMO', 'Chief Marketing Officer'],
    vp: ['VP Marketing', 'VP of Demand Generation', 'Vice President, Growth Marketing'],
    director: ['Director of Marketing', 'Head of Marketing', 'Director of Demand Generation', 'Head of Marketing Operations'],
    manager: ['Marketing Manager', 'Marketing Operations Manager', 'Demand Generation Manager', 'Product Marketing Manager'],
    individual_contributor: ['Marketing Specialist', 'Marketing Coordinator', 'Content Marketer', 'Marketing Automation Specialist'],
  },
  sales: {
    c_level: ['CRO', 'Chief Revenue Officer', 'Chief Sales Officer'],
    vp: ['VP Sales', 'VP of Sales', 'Vice President, Enterprise Sales'],
    director: ['Director of Sales', 'Head of Sales', 'Regional Sales Director', 'Head of Sales Development'],
    manager: ['Sales Manager', 'SDR Manager', 'Inside Sales Manager'],
    individual_contributor: ['Account Executive', 'Sales Development Representative', 'Business Development Representative'],
  },
  revenue_operations: {
    c_level: ['Chief Revenue Officer'],
    vp: ['VP Revenue Operations', 'VP of RevOps'],
    director: ['Head of Sales Operations', 'Director of Revenue Operations', 'Head of RevOps'],
    manager: ['Sales Operations Manager', 'Revenue Operations Manager', 'CRM Manager'],
    individual_contributor: ['Sales Operations Analyst', 'Revenue Operations Analyst', 'Salesforce Administrator'],
  },
  it: {
    c_level: ['CIO', 'Chief Information Officer'],
    vp: ['VP IT', 'VP of Information Technology'],
    director: ['IT Director', 'Head of IT', 'Director of Business Systems'],
    manager: ['IT Manager', 'Business Systems Manager'],
    individual_contributor: ['Systems Administrator', 'IT Specialist', 'Business Systems Analyst'],
  },
  engineering: {
    c_level: ['CTO', 'Chief Technology Officer'],
    vp: ['VP Engineering', 'VP of Data'],
    director: ['Director of Engineering', 'Head of Data', 'Head of Engineering'],
    manager: ['Engineering Manager', 'Data Engineering Manager'],
    individual_contributor: ['Software Engineer', 'Data Engineer', 'Data Analyst', 'Analytics Engineer'],
  },
  finance: {
    c_level: ['CFO', 'Chief Financial Officer'],
    vp: ['VP Finance'],
    director: ['Finance Director', 'Head of FP&A'],
    manager: ['Finance Manager', 'Procurement Manager'],
    individual_contributor: ['Financial Analyst', 'Procurement Specialist'],
  },
  operations: {
    c_level: ['COO', 'Chief Operating Officer', 'CEO', 'Founder & CEO'],
    vp: ['VP Operations'],
    director: ['Director of Operations', 'Head of Operations'],
    manager: ['Operations Manager', 'Project Manager'],
    individual_contributor: ['Operations Analyst', 'Operations Associate'],
  },
  customer_success: {
    c_level: ['Chief Customer Officer'],
    vp: ['VP Customer Success'],
    director: ['Director of Customer Success', 'Head of Customer Success'],
    manager: ['Customer Success Manager', 'Support Manager'],
    individual_contributor: ['Customer Success Associate', 'Support Specialist'],
  },
};

const STUDENT_TITLES = ['Student', 'MBA Candidate', 'Graduate Student', 'Marketing Intern'];
const OTHER_TITLES = ['Consultant', 'Freelance Consultant', 'Advisor', 'Owner', 'Partner', 'Contractor'];

const TIMELINES = ['now', 'this_quarter', 'this_year', 'later', 'unknown'] as const;

const PAGES = [
  '/',
  '/product',
  '/product/scoring',
  '/product/integrations',
  '/solutions/marketing-ops',
  '/solutions/sales',
  '/customers',
  '/blog/what-is-lead-scoring',
  '/blog/mql-vs-sql',
  '/blog/predictive-scoring',
  '/docs',
  '/docs/api',
  '/integrations/salesforce',
  '/integrations/hubspot',
  '/about',
  '/careers',
  '/security',
];
const HIGH_INTENT_PAGES = ['/pricing/compare', '/product/integrations', '/security', '/customers', '/docs/api'];

const EMAIL_CAMPAIGNS = [
  'newsletter-2024-q3',
  'newsletter-2024-q4',
  'welcome-series-1',
  'welcome-series-2',
  'welcome-series-3',
  'product-update',
  'webinar-invite',
  'case-study-roundup',
  'nurture-mops',
  'nurture-sales-leaders',
  'trial-nudge',
  'event-followup',
];

const ASSETS = [
  ['The State of Lead Scoring 2024', 'whitepaper'],
  ['Building an MQL Model That Sales Trusts', 'whitepaper'],
  ['Marketing Ops Playbook', 'ebook'],
  ['The RevOps Handbook', 'ebook'],
  ['Intent Data 101', 'ebook'],
  ['How Northwind Doubled Pipeline', 'case_study'],
  ['Acme Cloud: 40% Faster Handoffs', 'case_study'],
  ['Scoring at Scale: Meridian Health', 'case_study'],
] as const;

const WEBINARS = [
  'Lead Scoring Fundamentals',
  'From MQL to Revenue',
  'Fit vs Engagement: Two-Axis Scoring',
  'Ask Me Anything: RevOps',
  'Scoring with Product Usage Data',
  'Quarterly Product Launch',
];
const EVENTS = ['SaaStr Annual', 'Dreamforce', 'INBOUND', 'MOps-Apalooza', 'Regional Roadshow London', 'Customer Summit'];
const FORMS = ['newsletter_signup', 'contact_us', 'content_gate', 'event_registration', 'partner_inquiry'];
const CHAT_TOPICS = ['pricing', 'integrations', 'support', 'security', 'general'];
const TRIAL_PLANS = ['starter', 'growth', 'enterprise'];
const SOCIAL_NETWORKS = ['linkedin', 'x', 'youtube'];
const SOCIAL_ACTIONS = ['like', 'comment', 'share', 'follow'];

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

interface LeadPlan {
  lead: DemoLead;
  /** Latent buying intent in (0, 1); drives activity volume, mix and recency. */
  intent: number;
  /** The standard normal behind `intent`. */
  z: number;
  /** Expected activity count before age scaling (log-normal). */
  volume: number;
  /** The company's true headcount (the attribute may be missing). */
  companySize: number;
}

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
  const domain = freeEmail ? rnd.weighted(FREE_EMAIL_DOMAINS) : company.domain;
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
// Activities

type Draft = { type: ActivityType; at: number; properties: Record<string, string | number | boolean> };

const EMAIL_TYPES: ReadonlySet<ActivityType> = new Set(['email_open', 'email_click', 'sms']);

function propertiesFor(rnd: Random, type: ActivityType, intent: number): Record<string, string | number | boolean> {
  switch (type) {
    case 'page_view':
      return {
        url: rnd.chance(0.15 * intent) ? rnd.pick(HIGH_INTENT_PAGES) : rnd.pick(PAGES),
        durationSeconds: Math.round(Math.exp(3.3 + 1.0 * rnd.normal() + intent)),
      };
    case 'pricing_page_view':
      return { url: '/pricing', durationSeconds: Math.round(Math.exp(3.8 + 0.8 * rnd.normal() + intent)) };
    case 'email_open':
    case 'sms':
    case 'unsubscribe':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS) };
    case 'email_click':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS), url: rnd.pick(PAGES) };
    case 'email_bounce':
      return { campaign: rnd.pick(EMAIL_CAMPAIGNS), bounceType: rnd.chance(0.7) ? 'hard' : 'soft' };
    case 'content_download': {
      const [asset, assetType] = rnd.pick(ASSETS);
      return { asset, assetType };
    }
    case 'webinar_registration':
      return { webinar: rnd.pick(WEBINARS) };
    case 'webinar_attendance':
      return { webinar: rnd.pick(WEBINARS), minutesAttended: rnd.int(5, 60) };
    case 'event_attendance':
      return { event: rnd.pick(EVENTS), boothVisit: rnd.chance(0.4) };
    case 'demo_request':
      return { form: 'demo_request' };
    case 'trial_signup':
      return {
        plan: rnd.weighted([
          [TRIAL_PLANS[0], 5],
          [TRIAL_PLANS[1], 3],
          [TRIAL_PLANS[2], 1],
        ] as const),
      };
    case 'form_submission':
      return { form: rnd.pick(FORMS) };
    case 'chat':
      return { topic: rnd.pick(CHAT_TOPICS), messages: rnd.int(2, 25) };
    case 'call':
      return { direction: rnd.chance(0.7) ? 'outbound' : 'inbound', durationSeconds: rnd.int(20, 2400) };
    case 'social_interaction':
      return { network: rnd.pick(SOCIAL_NETWORKS), action: rnd.pick(SOCIAL_ACTIONS) };
    case 'other':
      return { note: rnd.pick(['partner_referral', 'community_post', 'survey_response', 'g2_review_view']) };
  }
}

/** Relative frequencies of the recurring activity types, shifted by intent. */
function typeWeights(intent: number): (readonly [ActivityType, number])[] {
  const i = intent;
  return [
    ['page_view', 30],
    ['email_open', 24],
    ['email_click', 4 + 6 * i],
    ['pricing_page_view', 0.5 + 9 * i * i],
    ['content_download', 2 + 3 * i],
    ['webinar_registration', 1 + 2 * i],
    ['webinar_attendance', 0.3 + 3 * i * i],
    ['event_attendance', 0.2 + 1 * i],
    ['form_submission', 1.5],
    ['chat', 0.3 + 1.5 * i * i],
    ['call', 0.2 + 2 * i * i],
    ['sms', 0.4],
    ['social_interaction', 2],
    ['other', 0.6],
  ];
}

function makeActivities(rnd: Random, plan: LeadPlan, nowMs: number, days: number): DemoActivity[] {
  const { lead, intent } = plan;
  const start = lead.createdAt.getTime();
  const span = nowMs - start;
  if (span <= 0) return [];

  // Younger leads have had less time to do things.
  const ageFactor = Math.sqrt(Math.min(1, span / DAY_MS / Math.min(45, days)));
  const count = Math.min(70, Math.max(0, Math.round(plan.volume * ageFactor) - 1));

  // Recency: some leads went cold some time ago; low-intent leads more often.
  let end = nowMs;
  if (rnd.chance(0.15 + 0.45 * (1 - intent))) end = start + span * rnd.float() ** 1.3;
  const window = end - start;
  // High intent pulls activity towards the end of the window (i.e. recent, when not cold).
  const skew = 1 / (1 + 2.5 * intent);
  const at = () => start + window * rnd.float() ** skew;

  const drafts: Draft[] = [];
  const weights = typeWeights(intent);
  for (let k = 0; k < count; k++) {
    const type = rnd.weighted(weights);
    drafts.push({ type, at: at(), properties: propertiesFor(rnd, type, intent) });
  }

  // Leads that came in through a form usually have that submission at creation time.
  if ((lead.source === 'website' || lead.source === 'paid_search' || lead.source === 'organic_search') && rnd.chance(0.5)) {
    drafts.push({ type: 'form_submission', at: start + rnd.int(0, 30) * 1000, properties: { form: rnd.pick(FORMS) } });
  }

  // Rare high-intent milestones.
  if (count > 0 && rnd.chance(0.01 + 0.16 * intent ** 3)) {
    drafts.push({ type: 'demo_request', at: at(), properties: propertiesFor(rnd, 'demo_request', intent) });
  }
  if (count > 0 && rnd.chance(0.01 + 0.12 * intent ** 2.5)) {
    drafts.push({ type: 'trial_signup', at: at(), properties: propertiesFor(rnd, 'trial_signup', intent) });
  }

  // Webinar attendees registered first (same webinar).
  for (const d of [...drafts]) {
    if (d.type === 'webinar_attendance' && rnd.chance(0.85)) {
      const regAt = Math.max(start, d.at - rnd.int(1, 14 * 24) * 3_600_000);
      drafts.push({ type: 'webinar_registration', at: regAt, properties: { webinar: d.properties.webinar } });
    }
  }

  drafts.sort((a, b) => a.at - b.at);

  // Email failures: a bounce or an unsubscribe ends email traffic.
  const hasEmail = drafts.some((d) => EMAIL_TYPES.has(d.type));
  let emailStop = Infinity;
  if (hasEmail && rnd.chance(0.03 + 0.03 * (1 - intent))) {
    const first = drafts.find((d) => EMAIL_TYPES.has(d.type))!;
    const stopAt = first.at + (end - first.at) * rnd.float();
    drafts.push({ type: 'unsubscribe', at: stopAt, properties: propertiesFor(rnd, 'unsubscribe', intent) });
    emailStop = stopAt;
  } else if (count > 0 && rnd.chance(0.025)) {
    const stopAt = start + window * rnd.float() * 0.5;
    drafts.push({ type: 'email_bounce', at: stopAt, properties: propertiesFor(rnd, 'email_bounce', intent) });
    emailStop = stopAt;
  }

  const kept = drafts
    .filter((d) => !(EMAIL_TYPES.has(d.type) && d.at > emailStop))
    .map((d) => ({ ...d, at: Math.min(nowMs, Math.max(start, Math.floor(d.at / 1000) * 1000)) }))
    .sort((a, b) => a.at - b.at);

  return kept.map((d, n) => ({
    leadExternalId: lead.externalId,
    type: d.type,
    occurredAt: new Date(d.at),
    idempotencyKey: `${lead.externalId}-${String(n + 1).padStart(4, '0')}`,
    properties: d.properties,
  }));
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/**
 * The hidden process that decides leads: a logistic model over what the lead is and what it did in
 * its first weeks, plus latent intent the activity only partly shows, plus noise. Its weights differ
 * from the shipped default rule set's on purpose, as a real market's would: some shipped rules are
 * worth less than their points (a demo request, very large companies, the CRM and country lists),
 * some more (repeat pricing views, a conversation, a confirmed budget), and the student penalty is
 * right. So a backtest of the default rule set is informative (AUC about 0.73) and fitted points do better.
 */
const TRUE_EFFECTS = {
  intercept: -4.1,
  latentIntent: 0.4,
  student: -3.0,
  freeEmail: -0.7,
  budgetConfirmed: 1.8,
  timelineSoon: 0.6,
  executive: 0.7,
  director: 0.6,
  sweetSpotSize: 1.0,
  midMarketSize: 0.5,
  enterpriseSize: -0.6,
  targetIndustry: 0.6,
  pricingViewsRepeat: 1.8,
  pricingViewOnce: 0.45,
  demoRequest: 0.5,
  trial: 0.8,
  conversation: 1.8,
  webinar: 0.4,
  unsubscribed: -1.2,
} as const;

const TARGET_INDUSTRIES = new Set(['software', 'financial_services', 'healthcare', 'telecommunications']);
/** What the outcome reads of a lead's behaviour: its first weeks. */
const OUTCOME_HORIZON_MS = 30 * DAY_MS;

function conversionLogit(plan: LeadPlan, activities: readonly DemoActivity[]): number {
  const e = TRUE_EFFECTS;
  const at = plan.lead.attributes;
  const horizon = plan.lead.createdAt.getTime() + OUTCOME_HORIZON_MS;
  const early = activities.filter((a) => a.occurredAt.getTime() <= horizon);
  const count = (...types: ActivityType[]) => early.filter((a) => types.includes(a.type)).length;
  const seniority = plan.lead.attributes.seniority;
  const size = plan.companySize;
  const isStudent =
    seniority === 'student' ||
    String(at.jobTitle ?? '')
      .toLowerCase()
      .includes('student') ||
    String(at.jobTitle ?? '').endsWith('Intern');
  const pricing = count('pricing_page_view');
  let x = e.intercept + e.latentIntent * plan.z;
  if (isStudent) x += e.student;
  if (FREE_DOMAIN_SET.has(plan.lead.email.split('@')[1])) x += e.freeEmail;
  if (at.budgetConfirmed === true) x += e.budgetConfirmed;
  if (at.timeline === 'now' || at.timeline === 'this_quarter') x += e.timelineSoon;
  if (seniority === 'c_level' || seniority === 'vp') x += e.executive;
  if (seniority === 'director') x += e.director;
  if (!isStudent) {
    if (size >= 200 && size <= 5000) x += e.sweetSpotSize;
    else if (size >= 50 && size < 200) x += e.midMarketSize;
    else if (size > 5000) x += e.enterpriseSize;
  }
  if (TARGET_INDUSTRIES.has(String(at.industry))) x += e.targetIndustry;
  if (pricing >= 2) x += e.pricingViewsRepeat;
  else if (pricing === 1) x += e.pricingViewOnce;
  if (count('demo_request')) x += e.demoRequest;
  if (count('trial_signup')) x += e.trial;
  if (count('chat', 'call')) x += e.conversation;
  if (count('webinar_attendance')) x += e.webinar;
  if (count('unsubscribe')) x += e.unsubscribed;
  return x;
}

const FREE_DOMAIN_SET: ReadonlySet<string> = new Set(FREE_EMAIL_DOMAINS.map(([domain]) => domain));

/**
 * Decides a lead: converted (a sales cycle of about 1 to 4 months, a deal value growing with the
 * company) or lost (after 1 to 5 months of trying). A lead whose decision would fall after `now`
 * is still open: recent leads are.
 */
function decide(rnd: Random, plan: LeadPlan, activities: readonly DemoActivity[], nowMs: number): void {
  const lead = plan.lead;
  const p = 1 / (1 + Math.exp(-conversionLogit(plan, activities)));
  const converted = rnd.chance(p);
  const days = converted
    ? 10 + rnd.float() * 20 + Math.min(150, -40 * Math.log(1 - rnd.float()))
    : 30 + Math.min(150, -50 * Math.log(1 - rnd.float()));
  const at = Math.floor((lead.createdAt.getTime() + days * DAY_MS) / 1000) * 1000;
  const value = Math.round((8_000 * (Math.max(plan.companySize, 10) / 100) ** 0.35 * Math.exp(0.5 * rnd.normal())) / 100) * 100;
  if (at > nowMs) return;
  lead.outcome = converted ? 'converted' : 'lost';
  lead.outcomeAt = new Date(at);
  lead.dealValue = converted ? value : null;
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

  activities.sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0),
  );
  return { leads, activities };
}
