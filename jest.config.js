/**
 * Jest runs the TypeScript sources through @swc/jest (type stripping only; `tsc` type-checks separately)
 * as native ES modules, hence `node --experimental-vm-modules` in the `test` script.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  // Integration tests share one Redis and two cores; a few workers is the sweet spot.
  maxWorkers: 2,
  // One temp dir per run, removed at the end (test/support/global-tmp.js).
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
};
