// One Jest config for every tier (unit, integration, e2e), native ESM through @swc/jest.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true, tsx: false },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    // AdminJS resource ids and Nest tokens are class names.
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  rootDir: '..',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@app/oauth-mail$': '<rootDir>/libs/oauth-mail/src/index.ts',
    '^@app/oauth-mail/(.*)\\.js$': '<rootDir>/libs/oauth-mail/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/libs/**/test/**/*.int-spec.ts',
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/apps/**/test/**/*.e2e-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['<rootDir>/test/support/env.setup.ts'],
  testTimeout: 60000,
};
