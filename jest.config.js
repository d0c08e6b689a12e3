/** Jest runs the TypeScript tests in test/ and the unit tests that sit beside their code in src/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } }] },
  testTimeout: 30000,
  // Each e2e file starts its own gateway and fake upstreams; they must not run on top of each other on 2 cores.
  maxWorkers: 1,
  // Coverage of the product: benchmarks and the fake upstreams are tools, not the gateway. Daemon-spawning tests
  // run dist/cli.js in another process, so only in-process and unit tests count here.
  collectCoverage: true,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.test.ts', '!src/bench/**', '!src/testing/**'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageProvider: 'v8',
};
