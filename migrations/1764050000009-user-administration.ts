import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions listed with when and where from they were used; when a password last changed. */
export class UserAdministration1764050000009 implements MigrationInterface {
  name = 'UserAdministration1764050000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE user_session ADD COLUMN last_used_at timestamptz NULL, ADD COLUMN client_address text NULL;
      ALTER TABLE app_user ADD COLUMN password_changed_at timestamptz NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE app_user DROP COLUMN password_changed_at;
      ALTER TABLE user_session DROP COLUMN client_address, DROP COLUMN last_used_at;
    `);
  }
}
