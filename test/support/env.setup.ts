// AdminJS reads these at import. Production mode stops its component watcher
// (which outlives Jest); the bundle is built once by `npm test` beforehand.
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'true';
process.env.ADMIN_JS_TMP_DIR = 'dist/adminjs';
