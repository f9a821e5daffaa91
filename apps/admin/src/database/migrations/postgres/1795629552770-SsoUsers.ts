import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SsoUsers1795629552770 implements MigrationInterface {
    name = 'SsoUsers1795629552770';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "admin_user" ADD "name" character varying(200)`);
        await queryRunner.query(`ALTER TABLE "admin_user" ADD "ssoIssuer" character varying(500)`);
        await queryRunner.query(`ALTER TABLE "admin_user" ADD "ssoSubject" character varying(200)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fd3097b76336c719c36e1e6218" ON "admin_user" ("ssoIssuer", "ssoSubject") `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_fd3097b76336c719c36e1e6218"`);
        await queryRunner.query(`ALTER TABLE "admin_user" DROP COLUMN "ssoSubject"`);
        await queryRunner.query(`ALTER TABLE "admin_user" DROP COLUMN "ssoIssuer"`);
        await queryRunner.query(`ALTER TABLE "admin_user" DROP COLUMN "name"`);
    }
}
