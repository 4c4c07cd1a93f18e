import { createHash } from 'node:crypto';
import type { LeadOutcome } from '../leads/lead.entity';
import type { RowProblem } from './import.errors';
import { columnOf, normaliseOf } from './mapping';
import type { CatalogEntry, ImportActivity, ImportMapping, ImportRow, ValueRef } from './mapping-types';
import { compileJsonMember, compileNormaliser, compileUncachedNormaliser, parseDateValue, parseDealValue } from './mapping-values';

/* A mapping compiled for one file's header: converts each CSV record into an ImportRow or its problems. Pure. */

export interface CompiledMapping {
  header: readonly string[];
  /** Attribute names the mapping fills; on an existing lead these are replaced (one without a value is removed). */
  attributeNames: string[];
  /** Which lead fields the import writes (the others keep their values on existing leads). */
  writes: {
    email: boolean;
    source: boolean;
    segment: boolean;
    createdAt: boolean;
    outcome: boolean;
    outcomeAt: boolean;
    dealValue: boolean;
  };
  /** Converts one record; `line` is its line number in the file (for activity keys and reports). */
  convert(record: readonly string[], line: number): { row: ImportRow; problems?: undefined } | { row?: undefined; problems: RowProblem[] };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

function idempotencyKey(column: string, externalId: string, value: string): string {
  const readable = `import:${column}:${externalId}:${value}`;
  return readable.length <= 200 ? readable : `import:${createHash('sha256').update(readable).digest('base64url')}`;
}

/** Lengths of the lead's own fields (the lead service's LEAD_FIELD_LIMITS). */
export interface FieldLimits {
  externalId: number;
  email: number;
  segment: number;
  source: number;
}

export interface CompileOptions {
  /** The effective catalog (planAttributes): allowed values are checked against it. */
  catalog: ReadonlyMap<string, CatalogEntry>;
  fieldLimits: FieldLimits;
  /** Dates after this are in the future; activities without a time happen now. */
  now: Date;
}

/** Compiles the mapping for a file whose header passed checkHeader. */
export function compileMapping(
  mapping: ImportMapping,
  header: readonly string[],
  { catalog, fieldLimits, now }: CompileOptions,
): CompiledMapping {
  const index = new Map(header.map((name, i) => [name, i] as const));
  const at = (column: string) => index.get(column) as number;

  const textField = (ref: ValueRef | undefined, limit: number, lower = false) => {
    if (ref === undefined) return null;
    if (typeof ref === 'object' && 'value' in ref) return { column: null, constant: ref.value } as const;
    const column = columnOf(ref) as string;
    return {
      column,
      position: at(column),
      normaliser: compileNormaliser({ ...normaliseOf(ref), ...(lower ? { case: 'lower' as const } : {}) }),
      limit,
      constant: undefined,
    } as const;
  };
  const externalId = textField(mapping.externalId, fieldLimits.externalId) as NonNullable<ReturnType<typeof textField>> & {
    column: string;
  };
  const email = textField(mapping.email, fieldLimits.email, true);
  const source = textField(mapping.source, fieldLimits.source);
  const segment = textField(mapping.segment, fieldLimits.segment);
  const createdAt = mapping.createdAt
    ? { column: columnOf(mapping.createdAt) as string, position: at(columnOf(mapping.createdAt) as string) }
    : null;

  const attributes = Object.entries(mapping.attributes).map(([column, spec], index) => ({
    index,
    column,
    position: at(column),
    name: spec.attribute,
    member: compileJsonMember(
      spec.attribute,
      compileUncachedNormaliser(spec.type, { ...mapping.defaults, ...spec.normalise }, catalog.get(spec.attribute)?.allowedValues ?? null),
    ),
  }));
  // Members in the order jsonb keeps an object's keys (shorter first, then bytewise): PostgreSQL then
  // finds them sorted and skips sorting each row's object: a third or more of turning JSON into jsonb.
  const inKeyOrder = [...attributes].sort(
    (a, b) => Buffer.byteLength(a.name) - Buffer.byteLength(b.name) || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );

  const outcome = mapping.outcome
    ? {
        ...mapping.outcome,
        position: at(mapping.outcome.column),
        datePosition: mapping.outcome.dateColumn ? at(mapping.outcome.dateColumn) : -1,
        dealPosition: mapping.outcome.dealValueColumn ? at(mapping.outcome.dealValueColumn) : -1,
        values: new Map<string, LeadOutcome>(
          (['converted', 'lost', 'open'] as const).flatMap((kind) =>
            (mapping.outcome?.[kind] ?? []).map((value) => [value.trim().toLowerCase(), kind] as const),
          ),
        ),
      }
    : null;

  const activities = (mapping.activities ?? []).map((activity) => ({
    column: activity.column,
    position: at(activity.column),
    occurredAtPosition: activity.occurredAtColumn ? at(activity.occurredAtColumn) : -1,
    occurredAtColumn: activity.occurredAtColumn ?? null,
    types: new Map(Object.entries(activity.types).map(([value, type]) => [value.trim().toLowerCase(), type])),
    otherType: activity.otherType ?? null,
  }));

  const nowIso = now.toISOString();
  const width = header.length;
  // Columns read without a text normaliser (which refuses NUL itself): a NUL there rejects the row.
  const rawColumns = [
    createdAt,
    outcome && { column: outcome.column, position: outcome.position },
    outcome?.dateColumn ? { column: outcome.dateColumn, position: outcome.datePosition } : null,
    outcome?.dealValueColumn ? { column: outcome.dealValueColumn, position: outcome.dealPosition } : null,
    ...activities.flatMap((activity) => [
      { column: activity.column, position: activity.position },
      activity.occurredAtColumn ? { column: activity.occurredAtColumn, position: activity.occurredAtPosition } : null,
    ]),
  ].filter((entry): entry is { column: string; position: number } => entry !== null);

  function readText(field: NonNullable<ReturnType<typeof textField>>, record: readonly string[], problems: RowProblem[]): string | null {
    if (field.constant !== undefined) return field.constant;
    const raw = record[field.position] ?? '';
    const result = field.normaliser.text(raw);
    if (!result.ok) {
      problems.push({ column: field.column, reason: result.reason, value: shorten(raw) });
      return null;
    }
    if (result.value !== null && result.value.length > field.limit) {
      problems.push({ column: field.column, reason: `longer than ${field.limit} characters`, value: shorten(raw) });
      return null;
    }
    return result.value;
  }

  return {
    header,
    attributeNames: attributes.map((a) => a.name),
    writes: {
      email: email !== null,
      source: source !== null,
      segment: segment !== null,
      createdAt: createdAt !== null,
      outcome: outcome !== null,
      outcomeAt: outcome !== null && outcome.datePosition >= 0,
      dealValue: outcome !== null && outcome.dealPosition >= 0,
    },
    convert(record, line) {
      const problems: RowProblem[] = [];
      if (record.length !== width && !(record.length === width - 1 && header[width - 1] === '')) {
        return { problems: [{ column: null, reason: `has ${record.length} fields, the header has ${width}` }] };
      }
      for (const { column, position } of rawColumns) {
        const raw = record[position] ?? '';
        if (raw.includes('\0')) problems.push({ column, reason: 'contains a NUL character', value: shorten(raw) });
      }
      if (problems.length) return { problems };
      const id = readText(externalId, record, problems);
      if (id === null && problems.length === 0) problems.push({ column: externalId.column, reason: 'blank externalId' });
      const emailValue = email ? readText(email, record, problems) : null;
      if (emailValue !== null && !EMAIL.test(emailValue))
        problems.push({ column: email?.column ?? null, reason: 'not an e-mail address', value: shorten(emailValue) });
      const sourceValue = source ? readText(source, record, problems) : null;
      const segmentValue = segment ? readText(segment, record, problems) : null;

      let created: string | null = null;
      if (createdAt) {
        const result = parseDateValue(record[createdAt.position] ?? '', now);
        if (result.ok) created = result.value;
        else problems.push({ column: createdAt.column, reason: result.reason, value: shorten(record[createdAt.position] ?? '') });
      }

      const members: string[] = [];
      let escapes = false;
      let attributeProblems: Array<{ index: number; problem: RowProblem }> | null = null;
      for (const attribute of inKeyOrder) {
        const raw = record[attribute.position] ?? '';
        const member = attribute.member(raw);
        if (!member.ok) {
          attributeProblems ??= [];
          attributeProblems.push({
            index: attribute.index,
            problem: { column: attribute.column, reason: member.reason, value: shorten(raw) },
          });
        } else if (member.json !== null) {
          members.push(member.json);
          escapes ||= member.escapes;
        }
      }
      // Reported in the mapping's order.
      if (attributeProblems) problems.push(...attributeProblems.sort((a, b) => a.index - b.index).map(({ problem }) => problem));

      let outcomeValue: LeadOutcome | null = null;
      let outcomeAt: string | null = null;
      let dealValue: string | null = null;
      if (outcome) {
        const raw = record[outcome.position] ?? '';
        const kind = outcome.values.get(raw.trim().toLowerCase());
        if (kind === undefined)
          problems.push({
            column: outcome.column,
            reason: 'not a known outcome value (outcome.converted / lost / open)',
            value: shorten(raw),
          });
        else outcomeValue = kind;
        // An open lead has no outcome date, and only a conversion has a deal value: those cells are ignored.
        if (outcome.datePosition >= 0 && kind !== undefined && kind !== 'open') {
          const result = parseDateValue(record[outcome.datePosition] ?? '', now);
          if (!result.ok)
            problems.push({
              column: outcome.dateColumn ?? null,
              reason: result.reason,
              value: shorten(record[outcome.datePosition] ?? ''),
            });
          else if (result.value !== null && created !== null && result.value < created)
            problems.push({ column: outcome.dateColumn ?? null, reason: 'before the lead was created', value: result.value });
          else outcomeAt = result.value;
        }
        if (outcome.dealPosition >= 0 && kind === 'converted') {
          const result = parseDealValue(record[outcome.dealPosition] ?? '');
          if (result.ok) dealValue = result.value;
          else
            problems.push({
              column: outcome.dealValueColumn ?? null,
              reason: result.reason,
              value: shorten(record[outcome.dealPosition] ?? ''),
            });
        }
      }

      const rowActivities: ImportActivity[] = [];
      for (const activity of activities) {
        const value = (record[activity.position] ?? '').trim();
        if (value === '') continue;
        const key = value.toLowerCase();
        const type = activity.types.has(key) ? activity.types.get(key) : activity.otherType;
        if (!type) continue;
        let occurredAt = created ?? nowIso;
        if (activity.occurredAtPosition >= 0) {
          const result = parseDateValue(record[activity.occurredAtPosition] ?? '', now);
          if (!result.ok) {
            problems.push({
              column: activity.occurredAtColumn,
              reason: result.reason,
              value: shorten(record[activity.occurredAtPosition] ?? ''),
            });
            continue;
          }
          occurredAt = result.value ?? occurredAt;
        }
        if (id !== null)
          rowActivities.push({
            type,
            occurredAt,
            idempotencyKey: idempotencyKey(activity.column, id, value),
            properties: { importedFrom: activity.column, value },
          });
      }

      if (problems.length || id === null) return { problems };
      return {
        row: {
          line,
          externalId: id,
          email: emailValue,
          source: sourceValue,
          segment: segmentValue,
          createdAt: created,
          // Joined into one string: rows wait in memory for their batch's turn, and a string built
          // by `+` would keep a node per member alive until then.
          attributesJson: `{${members.join(',')}}`,
          attributesJsonEscapes: escapes,
          outcome: outcomeValue,
          outcomeAt,
          dealValue,
          activities: rowActivities,
        },
      };
    },
  };
}
