// The lint gate (npm run lint, run by npm test and CI): typescript-eslint's recommended rules with
// type information where it catches real bugs (floating promises in the send loop), plus a few of ours.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stryker-tmp/**', 'reports/**', 'test/vendor/**', 'coverage/**', 'site/**', 'outbox/**', '**/*.cjs', '**/*.mjs', '**/*.js', 'bin/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits is a delivery nobody settles.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // Modules are required lazily on purpose (a fast `rali --version`; see src/cli.ts).
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-control-regex': 'off', // control characters are what our header and reply checks look for
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
    },
  },
);
