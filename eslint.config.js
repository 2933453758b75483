// ESLint over server/, client/, tests/, scripts/ and bench/ (`npm run lint`).
// Type-aware rules read each file's nearest tsconfig through the project service
// (tsconfig.json at the top, client/tsconfig.json for the admin UI).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

import { ensureClientTypes } from './client/scripts/generated-types.js';
import svelteConfig from './client/svelte.config.js';

// The client's types come from codegen and `svelte-kit sync`; without them the
// type-aware rules see unresolved types all over client/ (see the module). A client
// document that does not validate fails codegen; that is the client's finding (and
// `npm run lint` stops on it in `prelint`), so it must not keep server/ and tests/ from
// being linted.
try {
  ensureClientTypes(import.meta.dirname);
} catch (error) {
  console.warn(`eslint: client types not regenerated, client/ findings may be off (${error instanceof Error ? error.message : String(error)})`);
}

const SVELTE_FILES = ['client/**/*.svelte', 'client/**/*.svelte.ts', 'client/**/*.svelte.js'];

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'coverage/',
    'server/db/generated/',
    'client/build/',
    'client/.svelte-kit/',
    'client/src/lib/graphql/generated/',
    'bench/results/',
    'tests/artifacts/',
    'tests/fixtures/',
    'tests/agents/cli/',
    'prisma/',
    'docs/',
    'deploy/',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  // The plugin's rule block has no `files`; keep Svelte rules on Svelte sources.
  svelte.configs['flat/recommended'].map((config) => (config.files ? config : { ...config, files: SVELTE_FILES })),
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      // A promise nobody awaits loses its rejection; `void` marks the deliberate ones.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // A new member of a canonical union must be a compile-time decision in every switch,
      // so a `default:` does not count as handling it.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, allowDefaultCaseForExhaustiveSwitch: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Disables need a reason after `--` on the same line.
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description', minimumDescriptionLength: 8 }],
      // An `async` method without `await` is how a synchronous store implements an async interface.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Each generated Prisma client (SQLite, PostgreSQL) recognises only its own null markers and
    // error classes: take DbNull from dbNull(db) and match errors by their code.
    files: ['server/**/*.ts'],
    ignores: ['server/db/client.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Prisma'][property.name=/^(DbNull|JsonNull|AnyNull)$/]",
          message: "Use dbNull(db) from server/db/client.ts: the PostgreSQL client stores the SQLite client's marker as {}.",
        },
        {
          selector: "BinaryExpression[operator='instanceof'] > MemberExpression.right[object.name='Prisma']",
          message: 'Match Prisma errors by their code: the PostgreSQL client throws its own classes.',
        },
      ],
    },
  },
  {
    // Svelte templates: generic components' snippet parameters reach the linter as `any`;
    // svelte-check (`npm run check:client`) type-checks templates properly.
    files: ['client/**/*.svelte'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The UI is served at `/` with no `paths.base`, so `resolve()` would be the identity.
    files: SVELTE_FILES,
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
  {
    // Tests read untyped JSON bodies and hand methods to `expect`.
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: SVELTE_FILES,
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['client/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Plain JavaScript files are outside the TypeScript projects: syntax rules only.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
