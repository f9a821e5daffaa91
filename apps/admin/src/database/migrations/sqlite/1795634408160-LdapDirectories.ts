import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LdapDirectories1795634408160 implements MigrationInterface {
    name = 'LdapDirectories1795634408160';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "ldap_directory" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "url" varchar(300) NOT NULL, "startTls" boolean NOT NULL DEFAULT (0), "bindDn" varchar(500), "bindPasswordEncrypted" text, "baseDn" varchar(500) NOT NULL, "searchFilter" varchar(1000) NOT NULL, "attributeMap" text, "lastTestAt" datetime, "lastTestStatus" varchar CHECK( "lastTestStatus" IN ('ok','failed') ), "lastTestMessage" varchar(1000), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_335549d241cf55061efc7a8cb82" UNIQUE ("name"))`);
        await queryRunner.query(`DROP INDEX "IDX_fd3097b76336c719c36e1e6218"`);
        await queryRunner.query(`CREATE TABLE "temporary_admin_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "passwordHash" varchar(300), "role" varchar CHECK( "role" IN ('admin','viewer') ) NOT NULL DEFAULT ('admin'), "lastLoginAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "name" varchar(200), "ssoIssuer" varchar(500), "ssoSubject" varchar(200), "ldapDirectory" varchar(100), "ldapDn" varchar(500), CONSTRAINT "UQ_840ac5cd67be99efa5cd989bf9f" UNIQUE ("email"))`);
        await queryRunner.query(`INSERT INTO "temporary_admin_user"("id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt", "name", "ssoIssuer", "ssoSubject") SELECT "id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt", "name", "ssoIssuer", "ssoSubject" FROM "admin_user"`);
        await queryRunner.query(`DROP TABLE "admin_user"`);
        await queryRunner.query(`ALTER TABLE "temporary_admin_user" RENAME TO "admin_user"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fd3097b76336c719c36e1e6218" ON "admin_user" ("ssoIssuer", "ssoSubject") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_fd3097b76336c719c36e1e6218"`);
        await queryRunner.query(`ALTER TABLE "admin_user" RENAME TO "temporary_admin_user"`);
        await queryRunner.query(`CREATE TABLE "admin_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "passwordHash" varchar(300), "role" varchar CHECK( "role" IN ('admin','viewer') ) NOT NULL DEFAULT ('admin'), "lastLoginAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "name" varchar(200), "ssoIssuer" varchar(500), "ssoSubject" varchar(200), CONSTRAINT "UQ_840ac5cd67be99efa5cd989bf9f" UNIQUE ("email"))`);
        await queryRunner.query(`INSERT INTO "admin_user"("id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt", "name", "ssoIssuer", "ssoSubject") SELECT "id", "email", "passwordHash", "role", "lastLoginAt", "createdAt", "updatedAt", "name", "ssoIssuer", "ssoSubject" FROM "temporary_admin_user"`);
        await queryRunner.query(`DROP TABLE "temporary_admin_user"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fd3097b76336c719c36e1e6218" ON "admin_user" ("ssoIssuer", "ssoSubject") `);
        await queryRunner.query(`DROP TABLE "ldap_directory"`);
    }
}
