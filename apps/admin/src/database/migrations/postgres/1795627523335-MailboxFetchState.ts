import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxFetchState1795627523335 implements MigrationInterface {
    name = 'MailboxFetchState1795627523335';

    async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox" ADD "fetchState" text`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox" DROP COLUMN "fetchState"`);
    }
}
