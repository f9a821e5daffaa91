import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SsoUsers1795629552770 implements MigrationInterface {
    name = 'SsoUsers1795629552770';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "temporary_admin_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "passwordHash" varchar(300), "role" varchar CHECK( "role" IN ('admin','viewer') ) NOT NULL DEFAULT ('admin'), "lastLoginAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "name" varchar(200), "ssoIssuer" varchar(500), "ssoSubject" varchar(200), CONSTRAINT "UQ_840ac5cd67be99efa5cd989bf9f" UNIQUE ("email"))`);
        await queryRunner.query(`INSERT INTO "temporary_admin_user"("id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt") SELECT "id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt" FROM "admin_user"`);
        await queryRunner.query(`DROP TABLE "admin_user"`);
        await queryRunner.query(`ALTER TABLE "temporary_admin_user" RENAME TO "admin_user"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fd3097b76336c719c36e1e6218" ON "admin_user" ("ssoIssuer", "ssoSubject") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_fd3097b76336c719c36e1e6218"`);
        await queryRunner.query(`ALTER TABLE "admin_user" RENAME TO "temporary_admin_user"`);
        await queryRunner.query(`CREATE TABLE "admin_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "passwordHash" varchar(300), "role" varchar CHECK( "role" IN ('admin','viewer') ) NOT NULL DEFAULT ('admin'), "lastLoginAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_840ac5cd67be99efa5cd989bf9f" UNIQUE ("email"))`);
        await queryRunner.query(`INSERT INTO "admin_user"("id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt") SELECT "id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt" FROM "temporary_admin_user"`);
        await queryRunner.query(`DROP TABLE "temporary_admin_user"`);
    }
}
