// Mutation testing (`npm run mutate`, not part of `npm test`): StrykerJS changes the code one
// mutant at a time and runs the unit tests that cover it. The tests run from the compiled dist/, so
// each sandbox is built with tsc first. Mutate other files with `npm run mutate -- --mutate <file>`;
// choose the tests with MUTATE_TESTS (jest.mutate.config.js).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  buildCommand: 'npx tsc -p .',
  coverageAnalysis: 'perTest',
  mutate: [
    'src/inbox/classify.ts',
    'src/inbox/cause.ts',
    'src/inbox/bounce.ts',
    'src/inbox/text.ts',
    'src/inbox/mime.ts',
    'src/inbox/unsubscribe.ts',
    'src/inbox/auth-results.ts',
  ],
  ignorePatterns: ['/dist', '/coverage', '/reports', '/site', '/outbox', '/.rali'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 5000,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
