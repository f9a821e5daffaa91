import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionUser1796404069973 implements MigrationInterface {
    name = 'SessionUser1796404069973';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "admin_session" ADD "userId" character varying(36)`);
        await queryRunner.query(`CREATE INDEX "IDX_b41305caf8ef2f3847957746a2" ON "admin_session" ("userId") `);
        await queryRunner.query(`ALTER TABLE "admin_session" ADD CONSTRAINT "FK_b41305caf8ef2f3847957746a2f" FOREIGN KEY ("userId") REFERENCES "admin_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Sessions signed in before this migration keep their person (who still exists).
        await queryRunner.query(`UPDATE "admin_session" s SET "userId" = u."id" FROM "admin_user" u WHERE u."id" = (s."data"::json -> 'adminUser' ->> 'id')`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "admin_session" DROP CONSTRAINT "FK_b41305caf8ef2f3847957746a2f"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b41305caf8ef2f3847957746a2"`);
        await queryRunner.query(`ALTER TABLE "admin_session" DROP COLUMN "userId"`);
    }
}
