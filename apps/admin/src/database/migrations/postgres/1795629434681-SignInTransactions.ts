import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SignInTransactions1795629434681 implements MigrationInterface {
    name = 'SignInTransactions1795629434681';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" ADD "purpose" character varying(16) NOT NULL DEFAULT 'validate'`);
        await queryRunner.query(`ALTER TABLE "oauth_transaction" ADD "nonceHash" character varying(64)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" DROP COLUMN "nonceHash"`);
        await queryRunner.query(`ALTER TABLE "oauth_transaction" DROP COLUMN "purpose"`);
    }
}
