import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open activity catalog: the activity types clients may record, with their properties. The 18
 * built-in types are installed by the service on first start (ActivityCatalogService.ensureBuiltIns)
 * with codes 1..18 in their historical order, so backtest cohort snapshots stored before this
 * migration (which used those positions as type codes) keep their meaning. A type is retired,
 * never deleted: its code stays taken and its past activities keep their name.
 */
export class ActivityCatalog1764050000014 implements MigrationInterface {
  name = 'ActivityCatalog1764050000014';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE activity_type_definition (
        name text PRIMARY KEY,
        -- Dense, stable, never reused: backtest cohort snapshots store activity types by code.
        code smallint NOT NULL UNIQUE CHECK (code > 0),
        label text NOT NULL,
        description text NOT NULL DEFAULT '',
        -- [{name, type: string|number|boolean, required}]
        properties jsonb NOT NULL DEFAULT '[]',
        -- Whether properties the definition does not list are accepted (built-in types: yes).
        open_properties boolean NOT NULL DEFAULT false,
        built_in boolean NOT NULL DEFAULT false,
        retired_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT (built_in AND retired_at IS NOT NULL))
      );
      CREATE TABLE activity_catalog_setting (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        unknown_types text NOT NULL DEFAULT 'REFUSE' CHECK (unknown_types IN ('REFUSE', 'MAP_TO')),
        map_to text NULL REFERENCES activity_type_definition (name),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((unknown_types = 'MAP_TO') = (map_to IS NOT NULL))
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE activity_catalog_setting');
    await queryRunner.query('DROP TABLE activity_type_definition');
  }
}
