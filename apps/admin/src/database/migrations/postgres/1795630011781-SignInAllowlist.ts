import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SignInAllowlist1795630011781 implements MigrationInterface {
    name = 'SignInAllowlist1795630011781';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_client" ADD "allowedDomains" text`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_client" DROP COLUMN "allowedDomains"`);
    }
}
