import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795638590135 implements MigrationInterface {
    name = 'AuditLog1795638590135';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_event" ("id" character varying(36) NOT NULL, "at" TIMESTAMP NOT NULL DEFAULT now(), "actor" character varying(320) NOT NULL, "action" character varying(16) NOT NULL, "resource" character varying(64) NOT NULL, "records" character varying(2000) NOT NULL, "recordIds" character varying(2000) NOT NULL, "fields" character varying(2000), CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_06d570d7d1b40fbc994b5955be" ON "audit_event" ("at") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_06d570d7d1b40fbc994b5955be"`);
        await queryRunner.query(`DROP TABLE "audit_event"`);
    }
}
