// A second process of the library (the built one, dist/) for the fault tests: boots on the
// database in DATABASE_URL and refreshes one client's token, printing "refreshed" when done.
//   DATABASE_URL=postgres://… OAUTH_MAIL_KEY=… CLIENT_ID=… node test/peers/token-refresher.mjs
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

const { ExampleHostModule } = await import('../../dist/src/example-host.module.js');
const { TokenService } = await import('../../dist/libs/oauth-mail/src/index.js');

const app = await NestFactory.createApplicationContext(
  ExampleHostModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL }, { encryptionKey: process.env.OAUTH_MAIL_KEY, publicBaseUrl: 'https://mail-admin.example.com' }),
  { logger: ['error'] },
);
console.log('ready');
await app.get(TokenService).getAccessToken(process.env.CLIENT_ID, { forceRefresh: true });
console.log('refreshed');
await app.close();
