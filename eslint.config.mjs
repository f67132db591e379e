// The lint gate (npm run lint, run by npm test and CI): typescript-eslint's recommended rules with
// type information where it catches real bugs (floating promises in the send loop), plus a few of ours.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

// The layers of src/, each importing only the ones below it (README, The code):
// model < render, ledger, kinds < delivery, site, inbox, import, serve < commands < world.ts < cli.ts.
// errors.ts, messages.ts, secrets.ts, paths.ts and log.ts are shared by all.
const LAYERS = [
  ['src/model'],
  ['src/render', 'src/ledger', 'src/kinds'],
  ['src/delivery', 'src/site', 'src/inbox', 'src/import', 'src/serve'],
  ['src/commands'],
  ['src/world.ts'],
  ['src/cli.ts'],
];
const zones = LAYERS.flatMap((layer, i) => [
  // Nothing imports a layer above its own…
  ...layer.map((target) => ({
    target,
    from: LAYERS.slice(i + 1).flat(),
    message: 'imports run down the layers only (README, The code)',
  })),
  // … nor a neighbour of its own layer.
  ...(layer.length > 1
    ? layer.map((target) => ({ target, from: layer.filter((x) => x !== target), message: 'a layer does not import its neighbours' }))
    : []),
]).filter((z) => z.from.length);
// Below the edge nothing reads the environment, prints or exits: the world is passed in (src/commands/world.ts).
const PROCESS = ['env', 'exit', 'stdout', 'stderr', 'stdin', 'cwd', 'chdir', 'on', 'once', 'exitCode'].map((property) => ({
  object: 'process',
  property,
  message: 'only src/cli.ts and src/world.ts touch the process; take it from the world (src/commands/world.ts)',
}));

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
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-properties': ['error', ...PROCESS],
      'no-console': 'error',
    },
  },
  { files: ['src/cli.ts', 'src/world.ts'], rules: { 'no-restricted-properties': 'off' } },
);
