// One of bench/token-burst.mjs's processes: boots the library on the shared PostgreSQL and,
// when asked, sends its callers at one client's token all at once.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

const { ExampleHostModule } = await import('../dist/src/example-host.module.js');
const lib = await import('../dist/libs/oauth-mail/src/index.js');

let app;
let job;
process.on('message', async (message) => {
  try {
    if (message.boot) {
      job = message.boot;
      app = await NestFactory.createApplicationContext(ExampleHostModule.forRoot({ type: 'postgres', url: job.url }, job.options), { logger: false });
      process.send({ ready: true });
    } else if (message.burst) {
      const tokens = app.get(lib.TokenService);
      await Promise.all(Array.from({ length: job.callers }, () => tokens.getAccessToken(job.clientId)));
      process.send({ done: true });
    }
  } catch (error) {
    process.send({ error: error.message });
  }
});
