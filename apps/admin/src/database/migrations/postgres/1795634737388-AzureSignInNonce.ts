import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AzureSignInNonce1795634737388 implements MigrationInterface {
    name = 'AzureSignInNonce1795634737388';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" ADD "nonceEncrypted" text`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_transaction" DROP COLUMN "nonceEncrypted"`);
    }
}
