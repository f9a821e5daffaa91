// ESLint 9 flat config: typescript-eslint's type-aware rules, import cycles
// (import-x with the TypeScript resolver) and a few stylistic rules that
// describe the code base's existing style. `npm run lint` / `npm run lint:fix`.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const tsFiles = ['libs/**/*.ts', 'apps/**/*.ts', 'apps/**/*.tsx', 'src/**/*.ts', 'test/**/*.ts'];
const jsFiles = ['**/*.mjs', '**/*.js', '**/*.cjs'];
const testFiles = ['test/**/*.ts', '**/test/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'artifacts/**',
      'data/**',
      'tmp/**',
      'coverage/**',
      '.adminjs/**',
      'apps/admin/src/database/migrations/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // TypeScript, with type information from tsconfig.json.
  {
    files: tsFiles,
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `const { omitted, ...rest } = x` is how the code drops a field.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },

  // Tests poke at JSON responses (supertest's `body` is `any`) and build partial
  // fakes: the `any` families are relaxed there. The promise and switch rules stay on.
  {
    files: testFiles,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes implement async interfaces with bodies that need no await.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // Plain JavaScript (scripts, bench, test peers, configs): no type information.
  {
    files: jsFiles,
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },

  // Import cycles. Type-only imports (`import type`) are never followed by
  // import-x/no-cycle, so TypeORM's OAuthClient <-> Mailbox pair is allowed.
  {
    files: [...tsFiles, ...jsFiles],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: './tsconfig.json', alwaysTryTypes: true }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: false, ignoreExternal: true }],
    },
  },

  // Formatting: the style the code base already has.
  {
    files: [...tsFiles, ...jsFiles],
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/indent': ['error', 2, { offsetTernaryExpressions: true }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': ['error', 'always'],
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0, maxBOF: 0 }],
    },
  },
);
