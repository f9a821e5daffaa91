import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LdapDirectories1795634408160 implements MigrationInterface {
    name = 'LdapDirectories1795634408160';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."ldap_directory_lastteststatus_enum" AS ENUM('ok', 'failed')`);
        await queryRunner.query(`CREATE TABLE "ldap_directory" ("id" character varying(36) NOT NULL, "name" character varying(100) NOT NULL, "url" character varying(300) NOT NULL, "startTls" boolean NOT NULL DEFAULT false, "bindDn" character varying(500), "bindPasswordEncrypted" text, "baseDn" character varying(500) NOT NULL, "searchFilter" character varying(1000) NOT NULL, "attributeMap" text, "lastTestAt" TIMESTAMP, "lastTestStatus" "public"."ldap_directory_lastteststatus_enum", "lastTestMessage" character varying(1000), "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_335549d241cf55061efc7a8cb82" UNIQUE ("name"), CONSTRAINT "PK_aebcf3df1211fe83916cdf30897" PRIMARY KEY ("id"))`);
        await queryRunner.query(`ALTER TABLE "admin_user" ADD "ldapDirectory" character varying(100)`);
        await queryRunner.query(`ALTER TABLE "admin_user" ADD "ldapDn" character varying(500)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "admin_user" DROP COLUMN "ldapDn"`);
        await queryRunner.query(`ALTER TABLE "admin_user" DROP COLUMN "ldapDirectory"`);
        await queryRunner.query(`DROP TABLE "ldap_directory"`);
        await queryRunner.query(`DROP TYPE "public"."ldap_directory_lastteststatus_enum"`);
    }
}
