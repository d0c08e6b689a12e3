/** Jest runs the TypeScript tests in test/ and the unit tests that sit beside their code in src/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } }] },
  testTimeout: 30000,
  // Each e2e file starts its own daemon and fake upstreams; they must not run on top of each other on 2 cores.
  maxWorkers: 1,
};
