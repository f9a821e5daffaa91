import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RequiredIssuer1795636038664 implements MigrationInterface {
    name = 'RequiredIssuer1795636038664';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_2748eed5bc48dd482b7508fea6"`);
        await queryRunner.query(`CREATE TABLE "temporary_oauth_transaction" ("id" varchar(36) PRIMARY KEY NOT NULL, "stateHash" varchar(64) NOT NULL, "clientId" varchar(36) NOT NULL, "initiatedBy" varchar(64), "redirectUri" varchar(2048) NOT NULL, "expectedIssuerOrigin" varchar(2048) NOT NULL, "codeVerifierEncrypted" text NOT NULL, "expiresAt" datetime NOT NULL, "consumedAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "purpose" varchar(16) NOT NULL DEFAULT ('validate'), "nonceHash" varchar(64), "nonceEncrypted" text, "expectedIssuer" varchar(2048), CONSTRAINT "FK_24b74a3db1353a0a9302a75a5a7" FOREIGN KEY ("clientId") REFERENCES "oauth_client" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_oauth_transaction"("id", "stateHash", "clientId", "initiatedBy", "redirectUri", "expectedIssuerOrigin", "codeVerifierEncrypted", "expiresAt", "consumedAt", "createdAt", "purpose", "nonceHash", "nonceEncrypted") SELECT "id", "stateHash", "clientId", "initiatedBy", "redirectUri", "expectedIssuerOrigin", "codeVerifierEncrypted", "expiresAt", "consumedAt", "createdAt", "purpose", "nonceHash", "nonceEncrypted" FROM "oauth_transaction"`);
        await queryRunner.query(`DROP TABLE "oauth_transaction"`);
        await queryRunner.query(`ALTER TABLE "temporary_oauth_transaction" RENAME TO "oauth_transaction"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2748eed5bc48dd482b7508fea6" ON "oauth_transaction" ("stateHash") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_2748eed5bc48dd482b7508fea6"`);
        await queryRunner.query(`ALTER TABLE "oauth_transaction" RENAME TO "temporary_oauth_transaction"`);
        await queryRunner.query(`CREATE TABLE "oauth_transaction" ("id" varchar(36) PRIMARY KEY NOT NULL, "stateHash" varchar(64) NOT NULL, "clientId" varchar(36) NOT NULL, "initiatedBy" varchar(64), "redirectUri" varchar(2048) NOT NULL, "expectedIssuerOrigin" varchar(2048) NOT NULL, "codeVerifierEncrypted" text NOT NULL, "expiresAt" datetime NOT NULL, "consumedAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "purpose" varchar(16) NOT NULL DEFAULT ('validate'), "nonceHash" varchar(64), "nonceEncrypted" text, CONSTRAINT "FK_24b74a3db1353a0a9302a75a5a7" FOREIGN KEY ("clientId") REFERENCES "oauth_client" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "oauth_transaction"("id", "stateHash", "clientId", "initiatedBy", "redirectUri", "expectedIssuerOrigin", "codeVerifierEncrypted", "expiresAt", "consumedAt", "createdAt", "purpose", "nonceHash", "nonceEncrypted") SELECT "id", "stateHash", "clientId", "initiatedBy", "redirectUri", "expectedIssuerOrigin", "codeVerifierEncrypted", "expiresAt", "consumedAt", "createdAt", "purpose", "nonceHash", "nonceEncrypted" FROM "temporary_oauth_transaction"`);
        await queryRunner.query(`DROP TABLE "temporary_oauth_transaction"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2748eed5bc48dd482b7508fea6" ON "oauth_transaction" ("stateHash") `);
    }
}
