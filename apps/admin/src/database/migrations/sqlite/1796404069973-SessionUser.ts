import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionUser1796404069973 implements MigrationInterface {
    name = 'SessionUser1796404069973';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_950dd6a19b9c0d4cf08067565b"`);
        await queryRunner.query(`CREATE TABLE "temporary_admin_session" ("sid" varchar(128) PRIMARY KEY NOT NULL, "data" text NOT NULL, "expiresAt" datetime NOT NULL, "userId" varchar(36))`);
        await queryRunner.query(`INSERT INTO "temporary_admin_session"("sid", "data", "expiresAt") SELECT "sid", "data", "expiresAt" FROM "admin_session"`);
        await queryRunner.query(`DROP TABLE "admin_session"`);
        await queryRunner.query(`ALTER TABLE "temporary_admin_session" RENAME TO "admin_session"`);
        await queryRunner.query(`CREATE INDEX "IDX_950dd6a19b9c0d4cf08067565b" ON "admin_session" ("expiresAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_b41305caf8ef2f3847957746a2" ON "admin_session" ("userId") `);
        await queryRunner.query(`DROP INDEX "IDX_950dd6a19b9c0d4cf08067565b"`);
        await queryRunner.query(`DROP INDEX "IDX_b41305caf8ef2f3847957746a2"`);
        await queryRunner.query(`CREATE TABLE "temporary_admin_session" ("sid" varchar(128) PRIMARY KEY NOT NULL, "data" text NOT NULL, "expiresAt" datetime NOT NULL, "userId" varchar(36), CONSTRAINT "FK_b41305caf8ef2f3847957746a2f" FOREIGN KEY ("userId") REFERENCES "admin_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_admin_session"("sid", "data", "expiresAt", "userId") SELECT "sid", "data", "expiresAt", "userId" FROM "admin_session"`);
        await queryRunner.query(`DROP TABLE "admin_session"`);
        await queryRunner.query(`ALTER TABLE "temporary_admin_session" RENAME TO "admin_session"`);
        await queryRunner.query(`CREATE INDEX "IDX_950dd6a19b9c0d4cf08067565b" ON "admin_session" ("expiresAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_b41305caf8ef2f3847957746a2" ON "admin_session" ("userId") `);
        // Sessions signed in before this migration keep their person (who still exists).
        await queryRunner.query(`UPDATE "admin_session" SET "userId" = (SELECT "id" FROM "admin_user" WHERE "id" = json_extract("admin_session"."data", '$.adminUser.id'))`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_b41305caf8ef2f3847957746a2"`);
        await queryRunner.query(`DROP INDEX "IDX_950dd6a19b9c0d4cf08067565b"`);
        await queryRunner.query(`ALTER TABLE "admin_session" RENAME TO "temporary_admin_session"`);
        await queryRunner.query(`CREATE TABLE "admin_session" ("sid" varchar(128) PRIMARY KEY NOT NULL, "data" text NOT NULL, "expiresAt" datetime NOT NULL, "userId" varchar(36))`);
        await queryRunner.query(`INSERT INTO "admin_session"("sid", "data", "expiresAt", "userId") SELECT "sid", "data", "expiresAt", "userId" FROM "temporary_admin_session"`);
        await queryRunner.query(`DROP TABLE "temporary_admin_session"`);
        await queryRunner.query(`CREATE INDEX "IDX_b41305caf8ef2f3847957746a2" ON "admin_session" ("userId") `);
        await queryRunner.query(`CREATE INDEX "IDX_950dd6a19b9c0d4cf08067565b" ON "admin_session" ("expiresAt") `);
        await queryRunner.query(`DROP INDEX "IDX_b41305caf8ef2f3847957746a2"`);
        await queryRunner.query(`DROP INDEX "IDX_950dd6a19b9c0d4cf08067565b"`);
        await queryRunner.query(`ALTER TABLE "admin_session" RENAME TO "temporary_admin_session"`);
        await queryRunner.query(`CREATE TABLE "admin_session" ("sid" varchar(128) PRIMARY KEY NOT NULL, "data" text NOT NULL, "expiresAt" datetime NOT NULL)`);
        await queryRunner.query(`INSERT INTO "admin_session"("sid", "data", "expiresAt") SELECT "sid", "data", "expiresAt" FROM "temporary_admin_session"`);
        await queryRunner.query(`DROP TABLE "temporary_admin_session"`);
        await queryRunner.query(`CREATE INDEX "IDX_950dd6a19b9c0d4cf08067565b" ON "admin_session" ("expiresAt") `);
    }
}
