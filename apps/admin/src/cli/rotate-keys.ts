import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SecretRotationService } from '@app/oauth-mail';
import { AppModule } from '../app.module.js';
import { loadAppConfig } from '../config/app.config.js';

/**
 * `npm run keys:rotate`: re-encrypts every secret under OAUTH_MAIL_ENCRYPTION_KEY.
 * The old key must still be listed in OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS.
 */
try {
  const config = await loadAppConfig(process.env);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { admin: false }), { logger: ['error', 'warn'] });
  try {
    const report = await app.get(SecretRotationService).reencryptAll();
    console.log(`Re-encrypted ${report.rewritten} of ${report.checked} stored secrets under the current key.`);
  } finally {
    await app.close();
  }
} catch (error) {
  console.error(`Key rotation stopped: ${(error as Error).message}`);
  process.exitCode = 1;
}
