import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProvidersAsData1796303751780 implements MigrationInterface {
    name = 'ProvidersAsData1796303751780';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_client" ADD "allowedMailHosts" text`);
        // Edited from the generated DROP/ADD: the column changes type in place, so every client keeps its provider.
        await queryRunner.query(`ALTER TABLE "oauth_client" ALTER COLUMN "provider" TYPE character varying(40) USING "provider"::text`);
        await queryRunner.query(`DROP TYPE "public"."oauth_client_provider_enum"`);
        await queryRunner.query(`CREATE INDEX "IDX_4dc0ca93819142a27e697cb89c" ON "oauth_transaction" ("expiresAt") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_4dc0ca93819142a27e697cb89c"`);
        await queryRunner.query(`CREATE TYPE "public"."oauth_client_provider_enum" AS ENUM('azure', 'google', 'generic')`);
        await queryRunner.query(`ALTER TABLE "oauth_client" ALTER COLUMN "provider" TYPE "public"."oauth_client_provider_enum" USING "provider"::"public"."oauth_client_provider_enum"`);
        await queryRunner.query(`ALTER TABLE "oauth_client" DROP COLUMN "allowedMailHosts"`);
    }
}
