// The jest configuration of `npm run mutate`: the unit tests only (fast, and what covers the
// mutated files), from dist/. MUTATE_TESTS narrows them: a comma-separated list of globs, e.g.
// MUTATE_TESTS='**/inbox-*.test.js,**/classify.test.js'.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test/unit'],
  testMatch: (process.env.MUTATE_TESTS || '**/*.test.js').split(','),
  testTimeout: 60000,
};
