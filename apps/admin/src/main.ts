import { Logger } from '@nestjs/common';

// AdminJS reads these when it is first imported, so they are set before the app is loaded.
// The bundle lives under dist/ (no dot segment: Express 5 refuses to serve dot folders).
process.env.ADMIN_JS_TMP_DIR ??= 'dist/adminjs';
process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';

const { loadAppConfig } = await import('./config/app.config.js');
const { createApp } = await import('./bootstrap.js');

try {
  const config = await loadAppConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.port);
  new Logger('Main').log(`Admin at ${config.publicBaseUrl}/admin (database: ${config.database.type})`);
} catch (error) {
  const e = error as Error & { code?: string };
  console.error(e.code === 'CONFIGURATION_INVALID' ? e.message : `The admin app failed to start: ${e.message}`);
  process.exit(1);
}
