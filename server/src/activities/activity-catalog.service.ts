import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import type { AuditService } from '../audit/audit.service';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import {
  ACTIVITY_CATALOG_LIMITS,
  type ActivityCatalog,
  type ActivityPropertySpec,
  type ActivityTypeSpec,
  BUILT_IN_ACTIVITY_TYPES,
  checkActivityTypeDefinition,
  type DefineActivityTypeData,
  type UnknownActivityTypePolicy,
} from './activity-catalog';
import { ActivityCatalogErrorCode } from './activity-catalog.errors';

interface TypeRow {
  name: string;
  code: number;
  label: string;
  description: string;
  properties: ActivityPropertySpec[];
  openProperties: boolean;
  builtIn: boolean;
  retiredAt: Date | null;
}

const TYPE_COLUMNS = `name, code::int AS code, label, description, properties, open_properties AS "openProperties",
  built_in AS "builtIn", retired_at AS "retiredAt"`;

const specOf = (row: TypeRow): ActivityTypeSpec => ({
  ...row,
  properties: typeof row.properties === 'string' ? JSON.parse(row.properties) : row.properties,
  retiredAt: row.retiredAt === null ? null : new Date(row.retiredAt),
});

/** How long a process trusts its copy of the catalog: another process may change it. */
const CATALOG_TTL_MS = 5_000;

/**
 * The open activity catalog: which activity types clients may record (the 18 built-in ones and
 * those marketing defines), their properties, and what happens to an unknown type (refused or
 * recorded as a configured type). Types are retired, never removed. Every change is audited in its
 * own transaction. Reads are cached for a few seconds; this process's own changes are seen at once.
 */
export class ActivityCatalogService {
  private cached: Promise<ActivityCatalog> | null = null;
  private loadedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** On first start (and after an upgrade that adds one), installs the built-in types and the policy row. */
  async ensureBuiltIns(manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO activity_type_definition (name, code, label, description, properties, open_properties, built_in)
       SELECT t.name, t.code, t.label, '', '[]'::jsonb, true, true
         FROM jsonb_to_recordset($1::jsonb) AS t(name text, code smallint, label text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(BUILT_IN_ACTIVITY_TYPES.map(({ name, code, label }) => ({ name, code, label })))],
    );
    await manager.query(`INSERT INTO activity_catalog_setting (id) VALUES (true) ON CONFLICT DO NOTHING`);
    this.cached = null;
  }

  /** The catalog as requests check against it (every type, retired ones too, and the policy). */
  catalog(): Promise<ActivityCatalog> {
    if (!this.cached || Date.now() - this.loadedAt > CATALOG_TTL_MS) {
      this.loadedAt = Date.now();
      this.cached = this.read(this.dataSource.manager).catch((error: unknown) => {
        this.cached = null;
        throw error;
      });
    }
    return this.cached;
  }

  /** Every type, built-in first then by name; retired ones only when asked. */
  async list(includeRetired = false): Promise<ActivityTypeSpec[]> {
    const types = [...(await this.catalog()).types.values()].filter((type) => includeRetired || !type.retiredAt);
    return types.sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.name.localeCompare(b.name));
  }

  private async read(manager: EntityManager): Promise<ActivityCatalog> {
    const [rows, settings] = await Promise.all([
      manager.query(`SELECT ${TYPE_COLUMNS} FROM activity_type_definition ORDER BY code`) as Promise<TypeRow[]>,
      manager.query(`SELECT unknown_types AS policy, map_to AS "mapTo" FROM activity_catalog_setting`) as Promise<
        Array<{ policy: 'REFUSE' | 'MAP_TO'; mapTo: string | null }>
      >,
    ]);
    const setting = settings[0];
    const unknownTypes: UnknownActivityTypePolicy =
      setting?.policy === 'MAP_TO' && setting.mapTo ? { policy: 'MAP_TO', mapTo: setting.mapTo } : { policy: 'REFUSE' };
    return { types: new Map(rows.map((row) => [row.name, specOf(row)])), unknownTypes };
  }

  /**
   * Adds a type or changes one (label, description, properties, whether other properties are
   * accepted). Defining a retired type again brings it back. Its code never changes.
   */
  async defineActivityType(actor: Actor, data: DefineActivityTypeData): Promise<ActivityTypeSpec> {
    const problems = checkActivityTypeDefinition(data);
    if (problems.length) throw InvalidInputError.of(ActivityCatalogErrorCode.InvalidActivityType, problems);
    const properties = (data.properties ?? []).map(({ name, type, required }) => ({ name, type, required: required === true }));
    const spec = await this.dataSource.transaction(async (manager) => {
      // One definer at a time: codes are dense (max + 1) and the catalog is capped.
      await manager.query('LOCK TABLE activity_type_definition IN SHARE ROW EXCLUSIVE MODE');
      const [existing]: TypeRow[] = await manager.query(`SELECT ${TYPE_COLUMNS} FROM activity_type_definition WHERE name = $1`, [
        data.name,
      ]);
      const before = existing ? specOf(existing) : null;
      const openProperties = data.openProperties ?? before?.openProperties ?? false;
      let rows: TypeRow[];
      if (before) {
        rows = await manager.query(
          `WITH changed AS (
             UPDATE activity_type_definition SET label = $2, description = $3, properties = $4::jsonb, open_properties = $5,
                    retired_at = NULL, updated_at = now()
              WHERE name = $1 RETURNING *
           ) SELECT ${TYPE_COLUMNS} FROM changed`,
          [data.name, data.label.trim(), data.description ?? '', JSON.stringify(properties), openProperties],
        );
      } else {
        const [{ count }]: Array<{ count: number }> = await manager.query('SELECT count(*)::int AS count FROM activity_type_definition');
        if (count >= ACTIVITY_CATALOG_LIMITS.maxTypes)
          throw InvalidInputError.field(
            ActivityCatalogErrorCode.CatalogFull,
            'input.name',
            `the catalog holds at most ${ACTIVITY_CATALOG_LIMITS.maxTypes} types, retired ones included`,
          );
        rows = await manager.query(
          `INSERT INTO activity_type_definition (name, code, label, description, properties, open_properties)
           SELECT $1, coalesce(max(code), 0) + 1, $2, $3, $4::jsonb, $5 FROM activity_type_definition
           RETURNING ${TYPE_COLUMNS}`,
          [data.name, data.label.trim(), data.description ?? '', JSON.stringify(properties), openProperties],
        );
      }
      const after = specOf(rows[0]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'activity_type.defined',
        entityType: 'activity_type',
        entityId: after.name,
        summary: before
          ? `${before.retiredAt ? 'Brought back and redefined' : 'Redefined'} activity type ${after.name}`
          : `Defined activity type ${after.name}`,
        before: before ? auditView(before) : null,
        after: auditView(after),
        requestId: actor.requestId ?? null,
      });
      return after;
    });
    this.cached = null;
    return spec;
  }

  /** Retires a type: no new activities of it; those recorded stay and rules may still count them. Built-in types stay. */
  async retireActivityType(actor: Actor, name: string): Promise<ActivityTypeSpec> {
    const spec = await this.dataSource.transaction(async (manager) => {
      // The setting row first, then the type, as setUnknownActivityTypes locks them: no deadlock.
      const [setting]: Array<{ mapTo: string | null }> = await manager.query(
        `SELECT map_to AS "mapTo" FROM activity_catalog_setting FOR UPDATE`,
      );
      const [row]: TypeRow[] = await manager.query(`SELECT ${TYPE_COLUMNS} FROM activity_type_definition WHERE name = $1 FOR UPDATE`, [
        name,
      ]);
      if (!row)
        throw new NotFoundError(ActivityCatalogErrorCode.ActivityTypeNotFound, `name: there is no activity type ${JSON.stringify(name)}`, [
          { path: 'name', message: 'no such activity type' },
        ]);
      const before = specOf(row);
      if (before.builtIn)
        throw InvalidInputError.field(
          ActivityCatalogErrorCode.BuiltInActivityType,
          'name',
          `${name} is a built-in activity type: built-in types cannot be retired`,
        );
      if (before.retiredAt) return before;
      if (setting?.mapTo === name)
        throw new ConflictError(
          ActivityCatalogErrorCode.ActivityTypeInUse,
          `name: unknown activity types are mapped to ${name}; map them to another type (setUnknownActivityTypes) before retiring it`,
          [{ path: 'name', message: 'unknown activity types are mapped to it' }],
        );
      const rows: TypeRow[] = await manager.query(
        // A SELECT around the UPDATE: TypeORM's PostgreSQL driver answers a bare UPDATE with [rows, count].
        `WITH changed AS (UPDATE activity_type_definition SET retired_at = now(), updated_at = now() WHERE name = $1 RETURNING *)
         SELECT ${TYPE_COLUMNS} FROM changed`,
        [name],
      );
      const after = specOf(rows[0]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'activity_type.retired',
        entityType: 'activity_type',
        entityId: name,
        summary: `Retired activity type ${name}`,
        before: auditView(before),
        after: auditView(after),
        requestId: actor.requestId ?? null,
      });
      return after;
    });
    this.cached = null;
    return spec;
  }

  /** Sets what happens to an activity of a type the catalog does not know: refused, or recorded as `mapTo`. */
  async setUnknownActivityTypes(actor: Actor, policy: UnknownActivityTypePolicy): Promise<UnknownActivityTypePolicy> {
    const result = await this.dataSource.transaction(async (manager) => {
      const [current]: Array<{ policy: string; mapTo: string | null }> = await manager.query(
        `SELECT unknown_types AS policy, map_to AS "mapTo" FROM activity_catalog_setting FOR UPDATE`,
      );
      if (policy.policy === 'MAP_TO') {
        const [target]: Array<{ retiredAt: Date | null }> = await manager.query(
          // Shared lock: the target cannot be retired while this commits.
          `SELECT retired_at AS "retiredAt" FROM activity_type_definition WHERE name = $1 FOR SHARE`,
          [policy.mapTo],
        );
        if (!target || target.retiredAt)
          throw InvalidInputError.field(
            ActivityCatalogErrorCode.InvalidUnknownTypePolicy,
            'input.mapTo',
            `${JSON.stringify(policy.mapTo)} is not a current activity type: map unknown types to one of the catalog's types`,
          );
      }
      const mapTo = policy.policy === 'MAP_TO' ? policy.mapTo : null;
      await manager.query(
        `INSERT INTO activity_catalog_setting (id, unknown_types, map_to, updated_at) VALUES (true, $1, $2, now())
         ON CONFLICT (id) DO UPDATE SET unknown_types = EXCLUDED.unknown_types, map_to = EXCLUDED.map_to, updated_at = now()`,
        [policy.policy, mapTo],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'activity_catalog.unknown_types_set',
        entityType: 'activity_catalog',
        entityId: 'unknown_types',
        // Starts with its verb, as the console's audit sentences expect.
        summary:
          policy.policy === 'MAP_TO' ? `Set unknown activity types to be recorded as ${mapTo}` : 'Set unknown activity types to be refused',
        before: current ? { unknownTypes: current.policy, mapTo: current.mapTo } : null,
        after: { unknownTypes: policy.policy, mapTo },
        requestId: actor.requestId ?? null,
      });
      return policy;
    });
    this.cached = null;
    return result;
  }
}

function auditView(spec: ActivityTypeSpec) {
  return {
    label: spec.label,
    description: spec.description,
    properties: spec.properties,
    openProperties: spec.openProperties,
    retiredAt: spec.retiredAt?.toISOString() ?? null,
  };
}

/**
 * Type names by code, index 0 being '' (as are codes no type holds): how backtest cohort snapshots,
 * which store types by code, read them back. Codes are never reused, so a snapshot prepared earlier
 * decodes the same way.
 */
export async function activityTypeNamesByCode(db: Pick<EntityManager, 'query'>): Promise<string[]> {
  const rows: Array<{ name: string; code: number }> = await db.query(
    'SELECT name, code::int AS code FROM activity_type_definition ORDER BY code',
  );
  const names = new Array<string>((rows.at(-1)?.code ?? 0) + 1).fill('');
  for (const row of rows) names[row.code] = row.name;
  return names;
}
