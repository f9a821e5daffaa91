import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795638590135 implements MigrationInterface {
    name = 'AuditLog1795638590135';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_event" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL DEFAULT (datetime('now')), "actor" varchar(320) NOT NULL, "action" varchar(16) NOT NULL, "resource" varchar(64) NOT NULL, "records" varchar(2000) NOT NULL, "recordIds" varchar(2000) NOT NULL, "fields" varchar(2000))`);
        await queryRunner.query(`CREATE INDEX "IDX_06d570d7d1b40fbc994b5955be" ON "audit_event" ("at") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_06d570d7d1b40fbc994b5955be"`);
        await queryRunner.query(`DROP TABLE "audit_event"`);
    }
}
