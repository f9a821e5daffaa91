import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OAuthTransactions1795626474719 implements MigrationInterface {
    name = 'OAuthTransactions1795626474719';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "oauth_transaction" ("id" character varying(36) NOT NULL, "stateHash" character varying(64) NOT NULL, "clientId" character varying(36) NOT NULL, "initiatedBy" character varying(64), "redirectUri" character varying(2048) NOT NULL, "expectedIssuerOrigin" character varying(2048) NOT NULL, "codeVerifierEncrypted" text NOT NULL, "expiresAt" TIMESTAMP NOT NULL, "consumedAt" TIMESTAMP, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_d2ba6bf97cbdf28dd7654085f4f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2748eed5bc48dd482b7508fea6" ON "oauth_transaction" ("stateHash") `);
        await queryRunner.query(`ALTER TABLE "oauth_client" ADD "refreshLeaseOwner" character varying(64)`);
        await queryRunner.query(`ALTER TABLE "oauth_client" ADD "refreshLeaseUntil" TIMESTAMP`);
        await queryRunner.query(`ALTER TABLE "oauth_transaction" ADD CONSTRAINT "FK_24b74a3db1353a0a9302a75a5a7" FOREIGN KEY ("clientId") REFERENCES "oauth_client"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" DROP CONSTRAINT "FK_24b74a3db1353a0a9302a75a5a7"`);
        await queryRunner.query(`ALTER TABLE "oauth_client" DROP COLUMN "refreshLeaseUntil"`);
        await queryRunner.query(`ALTER TABLE "oauth_client" DROP COLUMN "refreshLeaseOwner"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_2748eed5bc48dd482b7508fea6"`);
        await queryRunner.query(`DROP TABLE "oauth_transaction"`);
    }
}
