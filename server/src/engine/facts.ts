import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { arrayLiteral } from './array-literal';
import type { FactValue, Facts } from './rule-engine';
import {
  type AccountScoreField,
  type ActivityFact,
  type FactDefinition,
  type LeadFact,
  type RuleSetDefinition,
  usesAccountFacts,
} from './ruleset-definition';

/**
 * Facts are computed set-based in SQL (one query for one lead or a chunk of thousands) and then
 * shaped here. This module builds the SQL and reads its rows; it does not touch a database.
 */

const DAY_MS = 86_400_000;

/** E-mail domains anyone can sign up for: an address there says nothing about an employer. */
export const FREE_EMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.ru',
  'yandex.ru',
  'qq.com',
  '163.com',
  'zoho.com',
]);

export interface FactsQuery {
  sql: string;
  /**
   * The same query also returning each lead's stored score signature (`s_signature`, null while
   * unscored): for callers that hold the leads locked and know their cached aggregates are void (they
   * have just written activities, or created the leads), one statement instead of a read of lead and
   * score, then this.
   */
  withSignatureSql: string;
  /**
   * Identifies the rule set's activity fact definitions: two versions with the same key compute the
   * same activity aggregates, so one's cached values (lead_score.facts) serve the other.
   */
  key: string;
  /** The query's parameters for these leads as of this time. */
  params(asOf: Date, leadIds: readonly string[]): unknown[];
}

/** The row FactsQuery returns for each lead. */
export interface FactsRow {
  lead_id: string;
  /** The lead row's version (xmin) as read: stored with the score (lead_score.lead_xmin). */
  lead_xmin?: string;
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  last_activity_at: Date | null;
  /** Until when the activity aggregates hold without a new activity (null: for ever); see buildFactsQuery. */
  facts_valid_until?: Date | null;
  [column: string]: unknown;
}

/**
 * What says whether a lead's cached activity aggregates (lead_score.facts) can be used: the key of
 * the definitions they were computed for (facts_key), as of when (scored_at) and until when they
 * hold (facts_valid_until); times in epoch ms.
 */
export interface CachedFacts {
  key: string;
  asOf: number;
  validUntil: number | null;
}

/**
 * The lead's account's columns (`account_attributes`, `account_score`), for rule sets with facts
 * about accounts: its attributes and its score in the default account model, as jsonb (null without
 * an account, or a score). Reads the lead as `l`; ACCOUNT_JOINS brings `acc` and `ams`.
 */
export const ACCOUNT_COLUMNS = `acc.attributes AS account_attributes,
  CASE WHEN ams.subject_id IS NULL THEN NULL ELSE jsonb_build_object('fit', ams.fit, 'engagement', ams.engagement, 'total', ams.total,
    'fitGrade', ams.fit_grade, 'engagementLevel', ams.engagement_level, 'cell', ams.cell, 'band', ams.band, 'qualified', ams.qualified)
  END AS account_score`;
export const ACCOUNT_JOINS = `LEFT JOIN account acc ON acc.id = l.account_id
      LEFT JOIN model_score ams ON ams.subject_id = l.account_id
            AND ams.model = (SELECT m.key FROM score_model m WHERE m.subject = 'account' AND m.is_default)`;

function activityFacts(definition: RuleSetDefinition): ActivityFact[] {
  return definition.facts.filter((fact): fact is ActivityFact => fact.source === 'activity');
}

/**
 * One query computing every behavioural fact of the rule set for the given leads, counting only
 * activities at or before the "as of" time. A window of N days is `occurred_at > asOf - N x 24 h`;
 * its start is computed here and bound as a timestamp, so that the database compares timestamps
 * instead of doing interval arithmetic (a stable, never constant-folded expression) for every
 * activity row and every fact, and so that the result does not depend on the session's time zone.
 */
export function buildFactsQuery(definition: RuleSetDefinition): FactsQuery {
  const fixed: unknown[] = [];
  const windows: number[] = [];
  /** Parameters after $1 (as of) and $2 (lead ids): window starts first, then fixed values. */
  const windowParam = (days: number) => {
    let index = windows.indexOf(days);
    if (index < 0) index = windows.push(days) - 1;
    return `{w${index}}`;
  };
  const param = (value: unknown, cast: string) => {
    fixed.push(value);
    return `{p${fixed.length - 1}}::${cast}`;
  };
  const columns = activityFacts(definition).map((fact, index) => {
    const filters: string[] = [];
    if (fact.activityTypes?.length) filters.push(`a.type = ANY(${param(fact.activityTypes, 'text[]')})`);
    if (fact.windowDays !== undefined) filters.push(`a.occurred_at > ${windowParam(fact.windowDays)}`);
    if (fact.where && Object.keys(fact.where).length > 0) filters.push(`a.properties @> ${param(JSON.stringify(fact.where), 'jsonb')}`);
    const filter = `FILTER (WHERE a.occurred_at <= $1::timestamptz${filters.map((f) => ` AND ${f}`).join('')})`;
    const column = `f${index}`;
    switch (fact.aggregate) {
      case 'count':
      case 'exists':
        return `count(a.id) ${filter}::int AS ${column}`;
      case 'daysSinceLast':
        return `max(a.occurred_at) ${filter} AS ${column}`;
      case 'sum': {
        const key = param(fact.property ?? '', 'text');
        return `coalesce(sum(CASE WHEN jsonb_typeof(a.properties -> ${key}) = 'number' THEN (a.properties ->> ${key})::float8 END) ${filter}, 0)::float8 AS ${column}`;
      }
      default:
        throw new Error(`unknown aggregate ${(fact as { aggregate: string }).aggregate}`);
    }
  });
  // When the aggregates can next change without a new activity: the oldest activity inside each
  // window leaves it W days after it occurred; a future-dated activity comes into view when it occurs.
  // (Conservative: every activity in the window counts, whatever the facts' type filters.)
  const expiries = [...new Set(activityFacts(definition).flatMap((fact) => (fact.windowDays === undefined ? [] : [fact.windowDays])))].map(
    (days) =>
      `min(a.occurred_at) FILTER (WHERE a.occurred_at <= $1::timestamptz AND a.occurred_at > ${windowParam(days)}) + make_interval(secs => ${days * 86_400})`,
  );
  const validUntil = `LEAST(${[...expiries, 'min(a.occurred_at) FILTER (WHERE a.occurred_at > $1::timestamptz)'].join(', ')})`;
  // Each lead's aggregates in a subquery of its own (LATERAL), read through activity_lead_occurred:
  // joined and grouped instead, PostgreSQL hashed the whole activity table for a batch of 100 leads
  // (80,000 rows read for 1,500 used, 3-5x slower, and growing with the table). An aggregate without
  // GROUP BY gives one row for a lead without activities too (counts 0, newest null), as the join did.
  // The account's columns only for rule sets that read them: the others' query stays as it was.
  const account = usesAccountFacts(definition);
  const template = `
    SELECT l.id::text AS lead_id, l.xmin::text AS lead_xmin, l.email, l.segment, l.source, l.attributes, l.created_at, agg.*${account ? `, ${ACCOUNT_COLUMNS}` : ''}
      FROM lead l
      CROSS JOIN LATERAL (
        SELECT max(a.occurred_at) FILTER (WHERE a.occurred_at <= $1::timestamptz) AS last_activity_at,
               ${validUntil} AS facts_valid_until${columns.map((c) => `,\n               ${c}`).join('')}
          FROM activity a
         WHERE a.lead_id = l.id) agg${account ? `\n      ${ACCOUNT_JOINS}` : ''}
     WHERE l.id = ANY($2::bigint[])`;
  const numbered = (text: string) =>
    text
      .replace(/\{w(\d+)\}/g, (_, i: string) => `$${3 + Number(i)}::timestamptz`)
      .replace(/\{p(\d+)\}/g, (_, i: string) => `$${3 + windows.length + Number(i)}`);
  const withSignature = template
    .replace('SELECT l.id::text AS lead_id,', 'SELECT l.id::text AS lead_id, s.signature AS s_signature,')
    .replace('FROM lead l\n', 'FROM lead l\n      LEFT JOIN lead_score s ON s.lead_id = l.id\n');
  return {
    sql: numbered(template),
    withSignatureSql: numbered(withSignature),
    key: createHash('sha256')
      .update(`facts-v1:${canonicalJson(activityFacts(definition))}`)
      .digest('base64url')
      .slice(0, 22),
    params: (asOf, leadIds) => [asOf, arrayLiteral(leadIds), ...windows.map((days) => new Date(asOf.getTime() - days * DAY_MS)), ...fixed],
  };
}

/** `from` as a Date or epoch ms. */
export function wholeDaysBetween(from: Date | number, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - (typeof from === 'number' ? from : from.getTime())) / DAY_MS));
}

export function coerce(value: unknown, type: FactDefinition['type']): FactValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
    default:
      return typeof value === 'string' ? value : null;
  }
}

/** The lead's own columns that facts are computed from (a facts row has them all). */
export interface LeadColumns {
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown> | null;
  created_at: Date | string | number;
  /** The lead's account's attributes: read only for rule sets with `accountAttribute` facts (null: no account). */
  account_attributes?: Record<string, unknown> | null;
  /** The lead's account's default account model score by field: read only for `account` facts (null: none). */
  account_score?: Partial<Record<AccountScoreField, unknown>> | null;
}

/**
 * One lead's activity aggregates in activity-fact order, as the facts query computes them and
 * lead_score.facts caches them: counts and sums as numbers, newest occurrences as epoch ms (null: none).
 */
export type ActivityValues = Array<number | null>;

/** Turns lead columns and activity aggregates into facts, for one rule set definition; see factsShaper. */
export interface FactsShaper {
  shape(lead: LeadColumns, activity: ActivityValues, asOf: Date): Facts;
  /** The activity aggregates of a facts query row. */
  activityValues(row: FactsRow): ActivityValues;
}

type Step =
  | { kind: 'attribute'; attribute: string; type: FactDefinition['type'] }
  | { kind: 'lead'; field: LeadFact['field'] }
  | { kind: 'accountAttribute'; attribute: string; type: FactDefinition['type'] }
  | { kind: 'account'; field: AccountScoreField; type: FactDefinition['type'] }
  | { kind: 'none' }
  | { kind: 'activity'; index: number; aggregate: ActivityFact['aggregate'] };

const shapers = new WeakMap<RuleSetDefinition, FactsShaper>();

/**
 * A definition's facts shaper, built once: the per-lead work is a loop over precomputed steps and
 * one object literal (a fixed V8 shape, which the compiled evaluator reads millions of times), with
 * no per-lead string building, entry arrays or property-by-property growth.
 */
export function factsShaper(definition: RuleSetDefinition): FactsShaper {
  let shaper = shapers.get(definition);
  if (shaper) return shaper;
  let activityIndex = 0;
  const steps: Step[] = definition.facts.map((fact): Step => {
    if (fact.source === 'attribute') return { kind: 'attribute', attribute: fact.attribute ?? fact.name, type: fact.type };
    if (fact.source === 'lead') return { kind: 'lead', field: fact.field };
    if (fact.source === 'accountAttribute') return { kind: 'accountAttribute', attribute: fact.attribute ?? fact.name, type: fact.type };
    if (fact.source === 'account') return { kind: 'account', field: fact.field, type: fact.type };
    // Contacts facts belong to account rule sets (validation refuses them here): no value.
    if (fact.source === 'contacts') return { kind: 'none' };
    return { kind: 'activity', index: activityIndex++, aggregate: fact.aggregate };
  });
  const aggregates = activityFacts(definition).map((fact) => fact.aggregate);
  const columns = aggregates.map((_, index) => `f${index}`);
  // Keys are JSON string literals: any fact name is safe in the generated source.
  const build = new Function('v', `return {${definition.facts.map((fact, i) => `${JSON.stringify(fact.name)}: v[${i}]`).join(', ')}};`) as (
    values: FactValue[],
  ) => Facts;
  shaper = {
    shape(lead, activity, asOf) {
      const values: FactValue[] = new Array(steps.length);
      let domain: string | null | undefined;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        if (step.kind === 'attribute') {
          values[i] = coerce(lead.attributes?.[step.attribute], step.type);
        } else if (step.kind === 'activity') {
          const value = activity[step.index];
          values[i] =
            step.aggregate === 'exists'
              ? (value ?? 0) > 0
              : step.aggregate === 'daysSinceLast'
                ? value === null
                  ? null
                  : wholeDaysBetween(value, asOf)
                : (value ?? 0);
        } else if (step.kind === 'accountAttribute') {
          values[i] = coerce(lead.account_attributes?.[step.attribute], step.type);
        } else if (step.kind === 'account') {
          values[i] = coerce(lead.account_score?.[step.field], step.type);
        } else if (step.kind === 'none') {
          values[i] = null;
        } else {
          if (domain === undefined) domain = lead.email?.split('@')[1]?.toLowerCase() ?? null;
          switch (step.field) {
            case 'emailDomain':
              values[i] = domain;
              break;
            case 'isFreeEmail':
              values[i] = domain === null ? null : FREE_EMAIL_DOMAINS.has(domain);
              break;
            case 'daysSinceCreated':
              values[i] = wholeDaysBetween(new Date(lead.created_at), asOf);
              break;
            case 'segment':
              values[i] = lead.segment;
              break;
            case 'source':
              values[i] = lead.source;
              break;
          }
        }
      }
      return build(values);
    },
    activityValues(row) {
      const values: ActivityValues = new Array(aggregates.length);
      for (let i = 0; i < aggregates.length; i++) {
        const raw = row[columns[i]];
        values[i] = aggregates[i] === 'daysSinceLast' ? (raw ? new Date(raw as string | Date).getTime() : null) : Number(raw ?? 0);
      }
      return values;
    },
  };
  shapers.set(definition, shaper);
  return shaper;
}

/** Shapes one row of the facts query into the rule set's facts. Missing values are null, never absent. */
export function factsFromRow(definition: RuleSetDefinition, row: FactsRow, asOf: Date): Facts {
  const shaper = factsShaper(definition);
  return shaper.shape(row, shaper.activityValues(row), asOf);
}

/** Whole days without activity, for decay: since the last activity, or since creation when there is none. */
export function daysInactive(row: { last_activity_at: Date | string | null; created_at: Date | string }, asOf: Date): number {
  return wholeDaysBetween(new Date(row.last_activity_at ?? row.created_at), asOf);
}

/** Whether cached aggregates hold for this fact definition set as of `asOf`. */
export function cacheHolds(cached: CachedFacts | null, key: string, asOf: Date): cached is CachedFacts {
  return (
    cached !== null &&
    cached.key === key &&
    cached.asOf <= asOf.getTime() &&
    (cached.validUntil === null || asOf.getTime() < cached.validUntil)
  );
}
