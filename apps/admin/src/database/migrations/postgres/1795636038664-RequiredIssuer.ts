import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RequiredIssuer1795636038664 implements MigrationInterface {
    name = 'RequiredIssuer1795636038664';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" ADD "expectedIssuer" character varying(2048)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" DROP COLUMN "expectedIssuer"`);
    }
}
