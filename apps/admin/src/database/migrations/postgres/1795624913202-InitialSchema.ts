import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795624913202 implements MigrationInterface {
    name = 'InitialSchema1795624913202';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."mailbox_direction_enum" AS ENUM('incoming', 'outgoing')`);
        await queryRunner.query(`CREATE TYPE "public"."mailbox_status_enum" AS ENUM('enabled', 'disabled')`);
        await queryRunner.query(`CREATE TYPE "public"."mailbox_protocol_enum" AS ENUM('imap', 'pop3', 'smtp')`);
        await queryRunner.query(`CREATE TYPE "public"."mailbox_encryption_enum" AS ENUM('none', 'ssl', 'starttls')`);
        await queryRunner.query(`CREATE TYPE "public"."mailbox_lastcheckstatus_enum" AS ENUM('ok', 'failed')`);
        await queryRunner.query(`CREATE TABLE "mailbox" ("id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "direction" "public"."mailbox_direction_enum" NOT NULL, "status" "public"."mailbox_status_enum" NOT NULL DEFAULT 'enabled', "protocol" "public"."mailbox_protocol_enum" NOT NULL, "host" character varying(253) NOT NULL, "port" integer NOT NULL, "encryption" "public"."mailbox_encryption_enum" NOT NULL, "username" character varying(320) NOT NULL, "passwordEncrypted" text, "oauthClientId" character varying(36), "folder" character varying(255), "emailDisplay" character varying(320), "displayName" character varying(200), "lastCheckAt" TIMESTAMP, "lastCheckStatus" "public"."mailbox_lastcheckstatus_enum", "lastCheckMessage" character varying(1000), "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_f7191e7ca96ddaeebb57e58650f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_provider_enum" AS ENUM('azure', 'google', 'generic')`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_type_enum" AS ENUM('mailbox', 'user')`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_status_enum" AS ENUM('enabled', 'disabled')`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_userdatasource_enum" AS ENUM('endpoint', 'id_token')`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_validationstatus_enum" AS ENUM('not_validated', 'valid', 'needs_revalidation', 'error')`);
        await queryRunner.query(`CREATE TABLE "oauth_client" ("id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "provider" "public"."oauth_client_provider_enum" NOT NULL, "type" "public"."oauth_client_type_enum" NOT NULL, "tenantId" character varying(100), "clientId" character varying(512) NOT NULL, "clientSecretEncrypted" text, "scope" character varying(2048), "scopeSeparator" character varying(1) NOT NULL DEFAULT ' ', "authorizeUrl" character varying(2048), "tokenUrl" character varying(2048), "proxy" character varying(300), "verifySsl" boolean NOT NULL DEFAULT true, "status" "public"."oauth_client_status_enum" NOT NULL DEFAULT 'enabled', "userDataSource" "public"."oauth_client_userdatasource_enum", "userDataEndpoint" character varying(2048), "usernameAttribute" character varying(200), "userFields" text, "userCreateExpression" text, "loginButtonCaption" character varying(100), "loginButtonIcon" character varying(300), "relatedLdaps" text, "validationStatus" "public"."oauth_client_validationstatus_enum" NOT NULL DEFAULT 'not_validated', "validatedAt" TIMESTAMP, "validatedIdentity" character varying(320), "accessTokenExpiresAt" TIMESTAMP, "lastError" character varying(1000), "accessTokenEncrypted" text, "originalAccessTokenEncrypted" text, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_d6e58a7e0ec3ac17a67ba7f97cd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "admin_session" ("sid" character varying(128) NOT NULL, "data" text NOT NULL, "expiresAt" TIMESTAMP NOT NULL, CONSTRAINT "PK_19d7eefa4325219a1cda89441d3" PRIMARY KEY ("sid"))`);
        await queryRunner.query(`CREATE INDEX "IDX_950dd6a19b9c0d4cf08067565b" ON "admin_session" ("expiresAt") `);
        await queryRunner.query(`CREATE TYPE "public"."admin_user_role_enum" AS ENUM('admin', 'viewer')`);
        await queryRunner.query(`CREATE TABLE "admin_user" ("id" character varying(36) NOT NULL, "email" character varying(320) NOT NULL, "passwordHash" character varying(300), "role" "public"."admin_user_role_enum" NOT NULL DEFAULT 'admin', "lastLoginAt" TIMESTAMP, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_840ac5cd67be99efa5cd989bf9f" UNIQUE ("email"), CONSTRAINT "PK_a28028ba709cd7e5053a86857b4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`ALTER TABLE "mailbox" ADD CONSTRAINT "FK_d7668bc7e39315acfe4ea0f544b" FOREIGN KEY ("oauthClientId") REFERENCES "oauth_client"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox" DROP CONSTRAINT "FK_d7668bc7e39315acfe4ea0f544b"`);
        await queryRunner.query(`DROP TABLE "admin_user"`);
        await queryRunner.query(`DROP TYPE "public"."admin_user_role_enum"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_950dd6a19b9c0d4cf08067565b"`);
        await queryRunner.query(`DROP TABLE "admin_session"`);
        await queryRunner.query(`DROP TABLE "oauth_client"`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_validationstatus_enum"`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_userdatasource_enum"`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_status_enum"`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_type_enum"`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_provider_enum"`);
        await queryRunner.query(`DROP TABLE "mailbox"`);
        await queryRunner.query(`DROP TYPE "public"."mailbox_lastcheckstatus_enum"`);
        await queryRunner.query(`DROP TYPE "public"."mailbox_encryption_enum"`);
        await queryRunner.query(`DROP TYPE "public"."mailbox_protocol_enum"`);
        await queryRunner.query(`DROP TYPE "public"."mailbox_status_enum"`);
        await queryRunner.query(`DROP TYPE "public"."mailbox_direction_enum"`);
    }
}
