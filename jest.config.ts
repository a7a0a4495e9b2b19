import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig's isolatedModules makes ts-jest transpile only: `npm run typecheck` checks the types
  // once, instead of every worker for every file.
  preset: 'ts-jest',
  // One embedded database for the whole run; each test file uses its own database name in it.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
};

export default config;
